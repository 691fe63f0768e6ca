import { defineConfig } from "vitest/config";

// End-to-end tests of the real app (scripts/e2e.sh runs them under xvfb-run).
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.ts"],
    environment: "node",
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
