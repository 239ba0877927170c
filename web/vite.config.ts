// Vite 8 (Rolldown + Oxc): JSX compiled for Preact's automatic runtime; no plugin needed.
import { defineConfig } from "vite";

export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { target: "es2022", sourcemap: false, assetsInlineLimit: 0 },
});
