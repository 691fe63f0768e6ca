import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The Tauri shell loads `dist/` in production and this dev server in `tauri dev`.
export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  // The web fonts live in the repository's fonts/ (the PDF reports embed the same files).
  server: { port: 5173, strictPort: true, fs: { allow: [".", "../fonts"] } },
  build: { target: "safari16", outDir: "dist", emptyOutDir: true },
});
