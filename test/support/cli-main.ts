import { fileURLToPath } from "node:url";

/** The built CLI (npm test builds it first), for solutions that call `kubedrill`. */
export const builtCli = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
