// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";
import { flushSync, mount, unmount } from "svelte";
import App from "./App.svelte";
import { setLocale } from "./lib/i18n";

let app: ReturnType<typeof mount> | undefined;

afterEach(() => {
  if (app !== undefined) unmount(app);
  app = undefined;
  document.body.innerHTML = "";
  setLocale("zh-CN");
});

function render(props: { frontEnd?: "station" | "console" } = {}): HTMLElement {
  const target = document.createElement("div");
  document.body.append(target);
  app = mount(App, { target, props });
  flushSync();
  return target;
}

const buttons = (root: HTMLElement): HTMLButtonElement[] => [...root.querySelectorAll("button")];

describe("App", () => {
  it("shows the station name in Chinese first", () => {
    const root = render();
    expect(root.querySelector("h1")?.textContent).toBe("Fieldpost 现场站");
    expect(document.documentElement.lang, "<html lang> selects Simplified Chinese glyphs").toBe("zh-CN");
    const pressed = buttons(root).filter((b) => b.getAttribute("aria-pressed") === "true");
    expect(pressed.map((b) => b.textContent?.trim()), "中文 is the selected language").toEqual(["中文"]);
  });

  it("switches the whole page to English and back with one tap each", () => {
    const root = render();
    const [zh, en] = buttons(root);
    en?.click();
    flushSync();
    expect(root.querySelector("h1")?.textContent).toBe("Fieldpost Station");
    expect(document.documentElement.lang).toBe("en");
    expect(en?.getAttribute("aria-pressed")).toBe("true");
    expect(root.querySelector('[role="group"]')?.getAttribute("aria-label"), "the group label follows too").toBe(
      "Interface language",
    );
    zh?.click();
    flushSync();
    expect(root.querySelector("h1")?.textContent).toBe("Fieldpost 现场站");
  });

  it("names the console when built as the console", () => {
    const root = render({ frontEnd: "console" });
    expect(root.querySelector("h1")?.textContent).toBe("秘书处控制台");
    expect(document.title).toBe("秘书处控制台");
  });

  it("marks each language button with its own language", () => {
    const root = render();
    expect(buttons(root).map((b) => b.lang), "screen readers read 中文 and English correctly").toEqual([
      "zh-CN",
      "en",
    ]);
  });
});
