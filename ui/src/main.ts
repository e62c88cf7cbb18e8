import { mount } from "svelte";
import App from "./App.svelte";
import "./app.css";

const target = document.getElementById("app");
if (target === null) {
  // index.html always has #app; reaching this means the page itself is broken.
  throw new Error("Fieldpost: #app element missing from index.html");
}

export default mount(App, { target });
