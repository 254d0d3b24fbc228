import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const cli = join(repo, "dist", "cli", "main.js");

let scratch: string;
beforeAll(async () => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  scratch = await mkdtemp(join(tmpdir(), "kubedrill-unreadable-"));
  await chmod(scratch, 0o755);
  await mkdir(join(scratch, "tasks", "locked"), { recursive: true });
  await chmod(join(scratch, "tasks", "locked"), 0o000);
});
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe("an unreadable folder under --tasks", () => {
  it("is exit 2 naming the folder and the fix, not a stack", async () => {
    // root reads any folder, so the CLI runs as nobody there to meet the permission error.
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const locked = join(scratch, "tasks", "locked");
    const result = await execa("node", [cli, "--tasks", join(scratch, "tasks"), "list"], {
      reject: false,
      env: { NO_COLOR: "1", HOME: scratch },
      ...asNobody,
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      `kubedrill: cannot read the task folder ${locked} (EACCES)\n  next: make it readable (chmod u+rx ${locked}) or leave it out of --tasks`,
    );
  });
});
