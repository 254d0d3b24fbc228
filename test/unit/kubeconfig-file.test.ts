import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { mergeContext, removeContext } from "../../src/cluster/kubeconfig-file.js";

const entry = {
  name: "kubedrill-local",
  server: "https://127.0.0.1:40000",
  certificateAuthorityData: "Q0E=",
  clientCertificateData: "Q0VSVA==",
  clientKeyData: "S0VZ",
};

const existing = `# my clusters
apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster: {server: https://10.0.0.1:6443}
users:
- name: prod
  user: {token: secret}
contexts:
- name: prod
  context: {cluster: prod, user: prod}
current-context: prod
`;

describe("kubeconfig context", () => {
  it("adds the context and makes it current without touching other entries or comments", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "kd-kc-")), "config");
    await writeFile(file, existing);
    await mergeContext(file, entry);
    const text = await readFile(file, "utf8");
    const config = parse(text);
    expect(text.startsWith("# my clusters")).toBe(true);
    expect(config["current-context"]).toBe("kubedrill-local");
    expect(config.clusters.map((c: { name: string }) => c.name)).toEqual(["prod", "kubedrill-local"]);
    expect(config.users[0]).toEqual({ name: "prod", user: { token: "secret" } });
    await mergeContext(file, entry);
    expect(parse(await readFile(file, "utf8")).contexts).toHaveLength(2);
  });

  it("removes only its own entries and clears current-context when it was current", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "kd-kc-")), "config");
    await writeFile(file, existing);
    await mergeContext(file, entry);
    await removeContext(file, "kubedrill-local");
    const config = parse(await readFile(file, "utf8"));
    expect(config.contexts.map((c: { name: string }) => c.name)).toEqual(["prod"]);
    expect(config.clusters.map((c: { name: string }) => c.name)).toEqual(["prod"]);
    expect(config["current-context"]).toBe("");
  });

  it("creates the file when there is none", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "kd-kc-")), ".kube", "config");
    await mergeContext(file, entry);
    expect(parse(await readFile(file, "utf8")).contexts[0].name).toBe("kubedrill-local");
  });
});
