import { defineConfig } from "vitest/config";

// Tiers, as in Pepr: pure unit tests, the built CLI with stand-in tools, and integration tests against the real
// local control plane (started once by the global setup, reused when running).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "cli",
          include: ["test/cli/**/*.test.ts"],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          exclude: ["test/integration/faults.test.ts"],
          globalSetup: ["test/integration/global-setup.ts"],
          setupFiles: ["test/integration/env.ts"],
          // One cluster is shared; files run one at a time so tasks do not race on nodes. Within
          // tasks.test.ts the catalog's proofs run side by side where they cannot disturb each other.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The fault suite breaks a cluster of its own, in a temporary folder: it runs beside
        // the integration files, not after them (scripts/test-integration.sh).
        test: {
          name: "faults",
          include: ["test/integration/faults.test.ts"],
          globalSetup: ["test/integration/binary-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
