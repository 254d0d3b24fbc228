import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LoadedTask } from "../../src/catalog/load.js";
import { taskSchema } from "../../src/catalog/schema.js";
import { start } from "../../src/engine/run.js";
import { FakeCluster, servedKinds } from "../support/fake-cluster.js";

describe("setup step copyToAnswers", () => {
  let root: string;
  let loaded: LoadedTask;
  const template = "metadata:\n  name: {{ .Release.Name }}\n  namespace: {{namespace}}\n";

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "kubedrill-copy-"));
    const dir = join(root, "tasks", "given-chart");
    await mkdir(join(dir, "chart", "templates"), { recursive: true });
    await writeFile(join(dir, "chart", "Chart.yaml"), "apiVersion: v2\nname: shop\nversion: 0.1.0\n");
    await writeFile(join(dir, "chart", "templates", "cm.yaml"), template);
    await writeFile(join(dir, "values.yaml"), "replicas: 1\n");
    const task = taskSchema.parse({
      id: "given-chart",
      title: "t",
      domain: "architecture",
      difficulty: "easy",
      minutes: 5,
      namespace: "given-chart",
      description: "d",
      setup: [
        { copyToAnswers: { from: "chart", to: "charts/shop" } },
        { copyToAnswers: { from: "values.yaml" } },
      ],
      checks: [{ title: "t", resource: { kind: "Pod", name: "web" } }],
      solution: "true",
    });
    loaded = { task, dir, file: join(dir, "task.yaml") };
    vi.stubEnv("KUBEDRILL_ANSWERS", join(root, "answers"));
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await rm(root, { recursive: true, force: true });
  });

  it("copies a folder and a file into the emptied answers folder, as they are: no {{vars}} filled", async () => {
    const answers = join(root, "answers", "given-chart");
    await mkdir(answers, { recursive: true });
    await writeFile(join(answers, "earlier.txt"), "from an earlier attempt");
    const target = { api: new FakeCluster(servedKinds), context: "fake" };

    const vars = await start(loaded, target as never);

    expect(vars.answers).toBe(answers);
    expect(await readFile(join(answers, "charts", "shop", "templates", "cm.yaml"), "utf8")).toBe(template);
    expect(await readFile(join(answers, "charts", "shop", "Chart.yaml"), "utf8")).toContain("name: shop");
    expect(await readFile(join(answers, "values.yaml"), "utf8")).toBe("replicas: 1\n");
    await expect(readFile(join(answers, "earlier.txt"), "utf8")).rejects.toThrow(/ENOENT/);
  });
});
