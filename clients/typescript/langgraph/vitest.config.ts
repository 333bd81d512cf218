import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The validation suite of @langchain/langgraph-checkpoint-validation uses the globals.
    globals: true,
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Full titles for the it.each cases of the validation suite (cut at 40 characters otherwise).
    chaiConfig: { truncateThreshold: 0 },
    reporters: ["default", "./test/summary-reporter.ts"],
  },
});
