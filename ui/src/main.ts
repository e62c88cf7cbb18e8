import { mount } from "svelte";
import App from "./App.svelte";
import { inTauri, tauriBackend } from "./lib/api/tauri";
import "./app.css";

const target = document.getElementById("app");
if (target === null) {
  // index.html always has #app; reaching this means the page itself is broken.
  throw new Error("Fieldpost: #app element missing from index.html");
}

// In the Tauri window the station screens run over the store; in a plain browser (vite dev)
// only the shell shows: the console has its own entry and backend.
export default mount(App, { target, props: inTauri() ? { backend: tauriBackend } : {} });
