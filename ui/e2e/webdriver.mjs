// A minimal W3C WebDriver (classic) client: the few commands the station's end-to-end test
// needs, over Node's fetch. No npm package: nothing to download, nothing that fetches a
// browser or a driver of its own.

// The W3C web element reference key.
const ELEMENT = "element-6066-11e4-a52f-4a5b-8c8e-bc8e2c2b3f5c";
const elementId = (reference) => reference[ELEMENT] ?? Object.values(reference)[0];

export class WebDriverError extends Error {
  constructor(command, value) {
    super(`${command}: ${value?.error ?? "error"}: ${value?.message ?? JSON.stringify(value)}`);
    this.value = value;
  }
}

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  /** Starts a session on the driver at `base` (e.g. http://127.0.0.1:4444). */
  static async start(base, capabilities) {
    const value = await request(base, "POST", "/session", { capabilities: { alwaysMatch: capabilities } });
    return new Session(base, value.sessionId);
  }

  cmd(method, path, body) {
    return request(this.base, method, `/session/${this.id}${path}`, body);
  }

  async end() {
    await this.cmd("DELETE", "");
  }

  /** The first element matching `css`, or null. */
  async find(css) {
    const found = await this.cmd("POST", "/elements", { using: "css selector", value: css });
    return found.length === 0 ? null : elementId(found[0]);
  }

  async findAll(css) {
    const found = await this.cmd("POST", "/elements", { using: "css selector", value: css });
    return found.map(elementId);
  }

  /** Waits until `css` matches a displayed element (and `until(text)` holds, if given). */
  async waitFor(css, { timeout = 15000, until, what } = {}) {
    const deadline = Date.now() + timeout;
    let last = "";
    for (;;) {
      const el = await this.find(css);
      if (el !== null) {
        try {
          const shown = await this.cmd("GET", `/element/${el}/displayed`);
          last = await this.text(el);
          if (shown && (until === undefined || until(last))) return el;
        } catch (e) {
          // The element went away between the two calls (Svelte re-rendered): look again.
          if (!(e instanceof WebDriverError)) throw e;
        }
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what ?? css}${last ? ` (last text: ${JSON.stringify(last)})` : ""}`);
      }
      await sleep(100);
    }
  }

  /** Waits until nothing matches `css` (a draft filed, a dialog closed). */
  async waitForGone(css, { timeout = 15000, what } = {}) {
    const deadline = Date.now() + timeout;
    while ((await this.find(css)) !== null) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what ?? css} to go`);
      await sleep(100);
    }
  }

  async click(el) {
    await this.cmd("POST", `/element/${el}/click`, {});
  }

  async clickOn(css, options) {
    const el = await this.waitFor(css, options);
    await this.click(el);
    return el;
  }

  async clear(el) {
    await this.cmd("POST", `/element/${el}/clear`, {});
  }

  async type(el, text) {
    await this.cmd("POST", `/element/${el}/value`, { text });
  }

  async fill(css, text) {
    const el = await this.waitFor(css);
    await this.clear(el);
    await this.type(el, text);
    return el;
  }

  async text(el) {
    return this.cmd("GET", `/element/${el}/text`);
  }

  async property(el, name) {
    return this.cmd("GET", `/element/${el}/property/${name}`);
  }

  async execute(script, args = []) {
    return this.cmd("POST", "/execute/sync", { script, args });
  }

  async executeAsync(script, args = []) {
    return this.cmd("POST", "/execute/async", { script, args });
  }

  async setWindowRect(rect) {
    return this.cmd("POST", "/window/rect", rect);
  }

  async windowRect() {
    return this.cmd("GET", "/window/rect");
  }

  /** A PNG of the whole window, as a Buffer. */
  async screenshot() {
    return Buffer.from(await this.cmd("GET", "/screenshot"), "base64");
  }
}

async function request(base, method, path, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new WebDriverError(`${method} ${path}`, { error: `HTTP ${response.status}`, message: text });
  }
  if (!response.ok || (json.value && json.value.error)) throw new WebDriverError(`${method} ${path}`, json.value);
  return json.value;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
