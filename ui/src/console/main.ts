import { mount } from "svelte";
import { HttpBackend } from "../lib/api/http";
import ConsoleApp from "./ConsoleApp.svelte";
import "./console.css";

const target = document.getElementById("console");
if (target === null) {
  // console.html always has #console; reaching this means the page itself is broken.
  throw new Error("Fieldpost console: #console element missing from console.html");
}

export default mount(ConsoleApp, { target, props: { backend: new HttpBackend() } });
