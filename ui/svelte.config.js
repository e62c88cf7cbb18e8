/** @type {import("@sveltejs/vite-plugin-svelte").SvelteConfig} */
export default {
  compilerOptions: {
    // Svelte 5 only: no legacy (Svelte 4) component syntax anywhere in the codebase.
    runes: true,
  },
};
