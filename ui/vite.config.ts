import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The Tauri shell loads `dist/` in production and this dev server in `tauri dev`.
export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: { target: "safari16", outDir: "dist", emptyOutDir: true },
});
