import { defineConfig } from "vitest/config";

// The app's benchmark (scripts/bench-app.sh); not part of the tests.
export default defineConfig({
  test: { include: ["e2e/measure.ts"], environment: "node", fileParallelism: false, testTimeout: 600_000, hookTimeout: 120_000 },
});
