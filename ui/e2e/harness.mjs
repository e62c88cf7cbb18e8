// Processes the end-to-end test and the app bench run: Xvfb, tauri-driver (which launches
// the app through WebKitWebDriver), and the test's own central. Every child is killed when
// the test ends, whichever way it ends.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { createServer } from "node:net";
import { sleep } from "./webdriver.mjs";

const children = [];

function kill(child) {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
}

export function killAll() {
  for (const child of children.reverse()) kill(child);
}

process.on("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

function track(child, name) {
  children.push(child);
  child.on("error", (e) => console.error(`e2e: ${name}: ${e.message}`));
  return child;
}

/** A free TCP port on loopback (other engineers' drivers may hold 4444). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The X display to use: the caller's, or a private Xvfb big enough for 1280×800 and 800×1280. */
export async function display() {
  if (process.env.FIELDPOST_E2E_DISPLAY) return process.env.FIELDPOST_E2E_DISPLAY;
  const xvfb = track(
    spawn("Xvfb", ["-displayfd", "3", "-screen", "0", "1600x1600x24", "-nolisten", "tcp"], {
      stdio: ["ignore", "ignore", "pipe", "pipe"],
    }),
    "Xvfb",
  );
  let stderr = "";
  xvfb.stderr.on("data", (d) => (stderr += d));
  const number = await new Promise((resolve, reject) => {
    let out = "";
    xvfb.stdio[3].on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve(out.trim());
    });
    xvfb.on("exit", (code) => reject(new Error(`Xvfb exited (${code}): ${stderr}`)));
  });
  return `:${number}`;
}

/** Starts tauri-driver for the app and waits until it answers. */
export async function tauriDriver(env) {
  const port = await freePort();
  const nativePort = await freePort();
  const bin = process.env.TAURI_DRIVER ?? "tauri-driver";
  const driver = track(
    spawn(bin, ["--port", String(port), "--native-port", String(nativePort)], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "inherit", "inherit"],
    }),
    "tauri-driver",
  );
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20000;
  for (;;) {
    if (driver.exitCode !== null) throw new Error(`tauri-driver exited with ${driver.exitCode}`);
    try {
      const r = await fetch(`${base}/status`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error("tauri-driver did not start");
    await sleep(100);
  }
  return { base, stop: () => kill(driver) };
}

/** Starts the test's central (tests/src/bin/e2e-central.rs) and reads its first line. */
export async function central(bin) {
  const child = track(spawn(bin, [], { stdio: ["pipe", "pipe", "inherit"] }), "e2e-central");
  const lines = createInterface({ input: child.stdout });
  const queue = [];
  const waiting = [];
  lines.on("line", (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else queue.push(line);
  });
  const readLine = () =>
    new Promise((resolve, reject) => {
      const line = queue.shift();
      if (line !== undefined) return resolve(line);
      waiting.push(resolve);
      child.once("exit", (code) => reject(new Error(`e2e-central exited with ${code}`)));
    });
  const hello = JSON.parse(await readLine());
  return {
    ...hello,
    /** Sends one command line and returns its JSON answer. */
    async ask(command) {
      child.stdin.write(`${command}\n`);
      const answer = JSON.parse(await readLine());
      if (answer.error) throw new Error(`e2e-central ${command}: ${answer.error}`);
      return answer;
    },
    stop() {
      child.stdin.end("quit\n");
    },
  };
}
