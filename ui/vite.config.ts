import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vitest/config";

export default defineConfig(({ mode }) => ({
  plugins: [svelte()],
  // Relative asset paths: the same dist/ is loaded from the Tauri window (custom protocol)
  // and served by the central server under its own prefix.
  base: "./",
  build: {
    // `vite build --mode console`: the secretariat console alone (console.html and what it
    // imports, never the Tauri code), into dist-console/ for the central server to serve.
    outDir: mode === "console" ? "dist-console" : "dist",
    emptyOutDir: true,
    ...(mode === "console" ? { rolldownOptions: { input: "console.html" } } : {}),
    // Tauri 2 on Linux renders with WebKitGTK; Safari 16 is a safe common floor with Chromium.
    target: ["es2022", "chrome111", "safari16"],
  },
  server: {
    // Tauri's dev window expects a fixed port; fail instead of silently moving.
    strictPort: true,
  },
  // Component tests mount real components, so they need Svelte's client runtime, not the
  // server one that Node's default export conditions would pick.
  ...(mode === "test" ? { resolve: { conditions: ["browser"] } } : {}),
  test: {
    include: ["src/**/*.test.ts"],
    // Logic tests run in plain Node; a component test opts into a DOM with
    // `// @vitest-environment happy-dom`.
    environment: "node",
  },
}));
