import { defineConfig } from "vite";

// Built assets are compiled into the `sealane` binary (crates/server/src/assets.rs).
export default defineConfig({
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 4000, sourcemap: false },
  server: { proxy: { "/api": { target: "http://127.0.0.1:8080", ws: true }, "/ogc": "http://127.0.0.1:8080" } },
});
