import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import type { RequestOptions } from "node:https";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { KubeConfig } from "../../src/cluster/kubeconfig.js";

// kubedrill's own kubeconfig reading (client-node is loaded only for plugins): which
// context and server it picks, and the TLS options and headers it builds.

const saved = process.env.KUBECONFIG;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kubedrill-kubeconfig-"));
  await mkdir(join(dir, "pki"));
  await writeFile(join(dir, "pki", "ca.crt"), "CA FROM FILE");
  await writeFile(join(dir, "pki", "token"), "token-from-file\n");
});
afterEach(() => {
  process.env.KUBECONFIG = saved;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function kubeconfig(name: string, config: object): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, JSON.stringify({ apiVersion: "v1", kind: "Config", ...config }));
  return file;
}

async function options(config: KubeConfig): Promise<RequestOptions> {
  const options: RequestOptions = { headers: { Accept: "application/json" } };
  await config.applyToHTTPSOptions(options);
  return options;
}

describe("reading a kubeconfig without client-node", () => {
  it("merges $KUBECONFIG's files as kubectl does: the first file naming a thing wins", async () => {
    const first = await kubeconfig("first", {
      clusters: [{ name: "a", cluster: { server: "https://127.0.0.1:1001" } }],
      contexts: [{ name: "ctx-a", context: { cluster: "a", user: "u" } }],
      "current-context": "ctx-a",
    });
    const second = await kubeconfig("second", {
      clusters: [
        { name: "a", cluster: { server: "https://127.0.0.1:9999" } },
        { name: "b", cluster: { server: "https://127.0.0.1:1002" } },
      ],
      users: [{ name: "u", user: { token: "t" } }],
      contexts: [{ name: "ctx-b", context: { cluster: "b", user: "u" } }],
      "current-context": "ctx-b",
    });
    process.env.KUBECONFIG = [first, join(dir, "missing"), second].join(delimiter);
    const config = new KubeConfig();
    config.loadFromDefault();
    expect(config.getCurrentContext()).toBe("ctx-a");
    expect(config.getCurrentCluster()).toEqual({ name: "a", server: "https://127.0.0.1:1001" });
    expect((await options(config)).headers).toEqual({
      Accept: "application/json",
      Authorization: "Bearer t",
    });
    expect(config.getContextObject("ctx-b")).toEqual({ name: "ctx-b" });
    config.setCurrentContext("ctx-b");
    expect(config.getCurrentCluster()?.server).toBe("https://127.0.0.1:1002");
  });

  it("reads certificates inline or from files relative to the kubeconfig, and a token file", async () => {
    const file = await kubeconfig("files", {
      clusters: [
        { name: "c", cluster: { server: "https://127.0.0.1:1", "certificate-authority": "pki/ca.crt" } },
      ],
      users: [
        {
          name: "u",
          user: {
            "client-certificate-data": Buffer.from("CERT").toString("base64"),
            "client-key-data": Buffer.from("KEY").toString("base64"),
            tokenFile: "pki/token",
          },
        },
      ],
      contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
      "current-context": "x",
    });
    const config = new KubeConfig();
    config.loadFromFile(file);
    const built = await options(config);
    expect(String(built.ca)).toBe("CA FROM FILE");
    expect(String(built.cert)).toBe("CERT");
    expect(String(built.key)).toBe("KEY");
    expect(built.headers).toEqual({ Accept: "application/json", Authorization: "Bearer token-from-file" });
    expect(built.rejectUnauthorized).toBeUndefined();
  });

  it("skips verification only when the cluster says insecure-skip-tls-verify, and sends basic auth", async () => {
    const file = await kubeconfig("insecure", {
      clusters: [{ name: "c", cluster: { server: "https://127.0.0.1:1", "insecure-skip-tls-verify": true } }],
      users: [{ name: "u", user: { username: "ann", password: "pw" } }],
      contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
      "current-context": "x",
    });
    const config = new KubeConfig();
    config.loadFromFile(file);
    const built = await options(config);
    expect(built.rejectUnauthorized).toBe(false);
    expect(built.headers).toEqual({
      Accept: "application/json",
      Authorization: `Basic ${Buffer.from("ann:pw").toString("base64")}`,
    });
  });

  it("hands an exec credential plugin to client-node, which runs it", async () => {
    const credential = JSON.stringify({
      apiVersion: "client.authentication.k8s.io/v1beta1",
      kind: "ExecCredential",
      status: { token: "from-plugin" },
    });
    const file = await kubeconfig("exec", {
      clusters: [{ name: "c", cluster: { server: "https://127.0.0.1:1" } }],
      users: [
        {
          name: "u",
          user: {
            exec: {
              apiVersion: "client.authentication.k8s.io/v1beta1",
              command: "sh",
              args: ["-c", `echo '${credential}'`],
            },
          },
        },
      ],
      contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
      "current-context": "x",
    });
    const config = new KubeConfig();
    config.loadFromFile(file);
    expect(((await options(config)).headers as Record<string, string>).Authorization).toBe(
      "Bearer from-plugin",
    );
  });

  it("refuses a file that is not a kubeconfig, naming it", async () => {
    const file = join(dir, "list");
    await writeFile(file, "- a\n- b\n");
    expect(() => new KubeConfig().loadFromFile(file)).toThrow(`${file} is not a kubeconfig`);
  });
});
