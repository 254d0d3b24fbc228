import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { LocalNodeAccess, type NodeAccess } from "../../src/cluster/node-access/index.js";
import { KindNodeAccess } from "../../src/cluster/node-access/kind.js";
import { MinikubeNodeAccess } from "../../src/cluster/node-access/minikube.js";
import { UsageError } from "../../src/errors.js";
import { type StandIns, standIns } from "../support/stand-ins.js";

// Node files on each driver, through stand-in docker and minikube executables that run
// the commands on a folder per node and log every command line they are given.

const kubeletConfig =
  "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nstaticPodPath: /etc/kubernetes/manifests\n";
const manifest = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: static-web\n";

let tools: StandIns;
let scratch: string;

beforeAll(async () => {
  tools = await standIns(["docker", "minikube"], {
    minikubeProfiles: { kubedrill: ["kubedrill", "kubedrill-m02"] },
  });
  scratch = await mkdtemp(join(tmpdir(), "kubedrill-node-test-"));
});
afterAll(async () => {
  await tools.remove();
  await rm(scratch, { recursive: true, force: true });
});
beforeEach(async () => {
  vi.stubEnv("PATH", tools.bin);
  await rm(tools.nodesRoot, { recursive: true, force: true });
  for (const node of ["kubedrill-worker", "kubedrill-m02"]) {
    await tools.addNode(node, { "/var/lib/kubelet/config.yaml": kubeletConfig });
  }
  await tools.clearCalls();
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** Command lines with the temp folder of a write replaced, so they compare exactly. */
const lines = async () =>
  (await tools.commandLines()).map((l) => l.replace(/\/\S*\/kubedrill-node-\w+\//g, "<tmp>/"));
const onNode = (node: string, path: string) => join(tools.nodesRoot, node, path);

interface Case {
  driver: string;
  node: string;
  access: () => NodeAccess;
  /** The command line that runs argv on the node. */
  exec: (argv: string) => string;
  copyIn: (local: string, path: string) => string[];
  copyOut: (path: string, local: string) => string;
  shell: { command: string; args: string[] };
}

const cases: Case[] = [
  {
    driver: "kind",
    node: "kubedrill-worker",
    access: () => new KindNodeAccess(),
    exec: (argv) => `docker exec kubedrill-worker ${argv}`,
    copyIn: (local, path) => [
      `docker exec kubedrill-worker mkdir -p ${path.slice(0, path.lastIndexOf("/"))}`,
      `docker cp ${local} kubedrill-worker:${path}`,
    ],
    copyOut: (path, local) => `docker cp kubedrill-worker:${path} ${local}`,
    shell: { command: "docker", args: ["exec", "-it", "kubedrill-worker", "bash"] },
  },
  {
    driver: "minikube",
    node: "kubedrill-m02",
    access: () => new MinikubeNodeAccess("kubedrill"),
    exec: (argv) => `minikube -p kubedrill ssh -n kubedrill-m02 -- sudo ${argv}`,
    copyIn: (local, path) => [`minikube -p kubedrill cp ${local} kubedrill-m02:${path}`],
    copyOut: (path, local) => `minikube -p kubedrill cp kubedrill-m02:${path} ${local}`,
    shell: { command: "minikube", args: ["-p", "kubedrill", "ssh", "-n", "kubedrill-m02"] },
  },
];

describe.each(cases)("$driver node access", ({ node, access, exec, copyIn, copyOut, shell, driver }) => {
  it("read runs cat on the node and returns the file as it is, final newline included", async () => {
    expect(await access().read(node, "/var/lib/kubelet/config.yaml")).toBe(kubeletConfig);
    expect(await lines()).toEqual([exec("cat /var/lib/kubelet/config.yaml")]);
  });

  it("read of a missing file is undefined, not an error", async () => {
    expect(await access().read(node, "/etc/kubernetes/manifests/none.yaml")).toBeUndefined();
    expect(await lines()).toEqual([exec("cat /etc/kubernetes/manifests/none.yaml")]);
  });

  it("readBytes copies the file out whole, so bytes that are not text arrive intact", async () => {
    const bytes = Buffer.from([0xed, 0xda, 0x0c, 0xed, 0x00, 0xff, 0x0a]);
    await mkdir(onNode(node, "/opt"), { recursive: true });
    await writeFile(onNode(node, "/opt/snap.db"), bytes);
    expect(Buffer.from((await access().readBytes(node, "/opt/snap.db")) ?? [])).toEqual(bytes);
    expect(await lines()).toEqual([copyOut("/opt/snap.db", "<tmp>/file")]);
    expect(await access().readBytes(node, "/opt/none.db")).toBeUndefined();
  });

  it("write copies the content in, creating the folder", async () => {
    await access().write(node, "/etc/kubernetes/manifests/static-web.yaml", manifest);
    expect(await readFile(onNode(node, "/etc/kubernetes/manifests/static-web.yaml"), "utf8")).toBe(manifest);
    expect(await lines()).toEqual(
      copyIn("<tmp>/static-web.yaml", "/etc/kubernetes/manifests/static-web.yaml"),
    );
  });

  it("cp to the node copies a local file to the node path", async () => {
    const local = join(scratch, "static-web.yaml");
    await writeFile(local, manifest);
    await access().copyTo(local, node, "/etc/kubernetes/manifests/static-web.yaml");
    expect(await readFile(onNode(node, "/etc/kubernetes/manifests/static-web.yaml"), "utf8")).toBe(manifest);
    expect(await lines()).toEqual(copyIn(local, "/etc/kubernetes/manifests/static-web.yaml"));
  });

  it("cp from the node copies the node file to a local path", async () => {
    const local = join(scratch, `${driver}-kubelet.yaml`);
    await access().copyFrom(node, "/var/lib/kubelet/config.yaml", local);
    expect(await readFile(local, "utf8")).toBe(kubeletConfig);
    expect(await lines()).toEqual([copyOut("/var/lib/kubelet/config.yaml", local)]);
  });

  it("cp from a missing node file says so as a usage error", async () => {
    const copy = access().copyFrom(node, "/etc/none.yaml", join(scratch, "none.yaml"));
    await expect(copy).rejects.toThrow(
      new UsageError(
        `cannot copy ${node}:/etc/none.yaml to ${join(scratch, "none.yaml")}: no such file on node ${node}`,
      ),
    );
  });

  it("rm removes the node path with rm -rf", async () => {
    await access().write(node, "/etc/kubernetes/manifests/static-web.yaml", manifest);
    await tools.clearCalls();
    await access().remove(node, "/etc/kubernetes/manifests/static-web.yaml");
    expect(existsSync(onNode(node, "/etc/kubernetes/manifests/static-web.yaml"))).toBe(false);
    expect(await lines()).toEqual([exec("rm -rf /etc/kubernetes/manifests/static-web.yaml")]);
  });

  it("rm refuses the node's root without running anything", async () => {
    await expect(access().remove(node, "/..")).rejects.toThrow(`refusing to remove / on node ${node}`);
    expect(await lines()).toEqual([]);
  });

  it("exec runs argv on the node and passes its output and exit code through", async () => {
    const found = await access().exec(node, ["cat", "/var/lib/kubelet/config.yaml"]);
    expect(found).toEqual({ exitCode: 0, stdout: kubeletConfig, stderr: "" });
    const missing = await access().exec(node, ["cat", "/etc/none"]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain("cat: /etc/none: No such file or directory");
    expect(await lines()).toEqual([exec("cat /var/lib/kubelet/config.yaml"), exec("cat /etc/none")]);
  });

  it("shell is the driver's interactive shell on that node", async () => {
    expect(await access().shell(node)).toEqual(shell);
  });

  it("a node the cluster does not have is a usage error that says how to list the nodes", async () => {
    const read = access().read("kubedrill-worker9", "/etc/hostname");
    await expect(read).rejects.toThrow(
      expect.objectContaining({
        message: expect.stringMatching(/^no node "kubedrill-worker9" in this \w+ cluster/),
        hint: "list the nodes with: kubectl get nodes",
      }),
    );
  });
});

describe("minikube node access", () => {
  it("quotes paths for the remote shell, so spaces and quotes arrive intact", async () => {
    const path = "/etc/it's here/a b.conf";
    await mkdir(join(tools.nodesRoot, "kubedrill-m02", "etc", "it's here"), { recursive: true });
    await writeFile(onNode("kubedrill-m02", path), "quoted\n");
    expect(await new MinikubeNodeAccess("kubedrill").read("kubedrill-m02", path)).toBe("quoted\n");
    expect((await tools.calls())[0]?.argv).toEqual([
      "-p",
      "kubedrill",
      "ssh",
      "-n",
      "kubedrill-m02",
      "--",
      "sudo",
      "cat",
      `'/etc/it'\\''s here/a b.conf'`,
    ]);
  });
});

describe("local node access", () => {
  it("reads, writes, copies and removes files in the node's folder", async () => {
    const nodes = join(scratch, "local-nodes");
    await mkdir(join(nodes, "kubedrill-worker"), { recursive: true });
    const local = new LocalNodeAccess(nodes);
    await local.write("kubedrill-worker", "/etc/kubernetes/manifests/static-web.yaml", manifest);
    expect(await local.read("kubedrill-worker", "/etc/kubernetes/manifests/static-web.yaml")).toBe(manifest);
    const bytes = Buffer.from([0xed, 0x00, 0xff]);
    await writeFile(join(nodes, "kubedrill-worker", "snap.db"), bytes);
    expect(Buffer.from((await local.readBytes("kubedrill-worker", "/snap.db")) ?? [])).toEqual(bytes);
    expect(await local.readBytes("kubedrill-worker", "/none.db")).toBeUndefined();
    const copy = join(scratch, "local-copy.yaml");
    await local.copyFrom("kubedrill-worker", "/etc/kubernetes/manifests/static-web.yaml", copy);
    expect(await readFile(copy, "utf8")).toBe(manifest);
    await local.remove("kubedrill-worker", "/etc/kubernetes/manifests/static-web.yaml");
    expect(await local.read("kubedrill-worker", "/etc/kubernetes/manifests/static-web.yaml")).toBeUndefined();
    expect(await tools.calls()).toEqual([]);
  });
});

describe("local node access › stays in the node's folder", () => {
  let nodes: string;
  let outside: string;
  let local: LocalNodeAccess;
  const worker = "kubedrill-worker";

  beforeEach(async () => {
    nodes = join(scratch, "contained-nodes");
    outside = join(scratch, "outside");
    await rm(nodes, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
    await mkdir(join(nodes, worker, "etc", "kubernetes", "manifests"), { recursive: true });
    await mkdir(outside, { recursive: true });
    await writeFile(join(outside, "secret"), "host secret\n");
    // A folder link and a file link inside the node, both pointing at the host's folder.
    await symlink(outside, join(nodes, worker, "etc", "escape"));
    await symlink(join(outside, "secret"), join(nodes, worker, "etc", "secret-link"));
    local = new LocalNodeAccess(nodes);
  });

  const refused = /leads outside the node's folder/;

  it("read, write, cp and rm through a symlink that leaves the node are refused", async () => {
    await expect(local.read(worker, "/etc/escape/secret")).rejects.toThrow(refused);
    await expect(local.read(worker, "/etc/secret-link")).rejects.toThrow(refused);
    await expect(local.write(worker, "/etc/escape/new", "x")).rejects.toThrow(refused);
    await expect(local.copyFrom(worker, "/etc/escape/secret", join(scratch, "got"))).rejects.toThrow(refused);
    const source = join(scratch, "source.txt");
    await writeFile(source, "payload\n");
    await expect(local.copyTo(source, worker, "/etc/escape/copied")).rejects.toThrow(refused);
    await expect(local.remove(worker, "/etc/escape/secret")).rejects.toThrow(refused);
    await expect(local.remove(worker, "/etc/secret-link")).rejects.toThrow(refused);
    expect(await readFile(join(outside, "secret"), "utf8")).toBe("host secret\n");
    expect(existsSync(join(outside, "new"))).toBe(false);
    expect(existsSync(join(outside, "copied"))).toBe(false);
  });

  it("a dangling symlink to a host path is not created through", async () => {
    await symlink(join(outside, "planted"), join(nodes, worker, "etc", "dangling"));
    await expect(local.write(worker, "/etc/dangling", "x")).rejects.toThrow(refused);
    expect(existsSync(join(outside, "planted"))).toBe(false);
  });

  it("a symlink that stays inside the node works, and rm removes the link, not its target", async () => {
    await writeFile(join(nodes, worker, "etc", "kubernetes", "manifests", "web.yaml"), manifest);
    await symlink(
      join(nodes, worker, "etc", "kubernetes", "manifests", "web.yaml"),
      join(nodes, worker, "etc", "web-link"),
    );
    expect(await local.read(worker, "/etc/web-link")).toBe(manifest);
    await local.remove(worker, "/etc/web-link");
    expect(await local.read(worker, "/etc/kubernetes/manifests/web.yaml")).toBe(manifest);
    expect(existsSync(join(nodes, worker, "etc", "web-link"))).toBe(false);
  });

  it("rm refuses / and the folders a node needs, also under another name", async () => {
    for (const path of [
      "/",
      "/etc",
      "/etc/kubernetes/",
      "/var/lib/kubelet",
      "/etc/kubernetes/manifests/..",
    ]) {
      await expect(local.remove(worker, path)).rejects.toThrow(/refusing to remove .* the node needs it/);
    }
    await symlink(join(nodes, worker, "etc"), join(nodes, worker, "etc-alias"));
    await expect(local.remove(worker, "/etc-alias/kubernetes")).rejects.toThrow(
      /refusing to remove \/etc\/kubernetes/,
    );
    expect(existsSync(join(nodes, worker, "etc", "kubernetes", "manifests"))).toBe(true);
  });

  it("kind and minikube rm refuse the same folders", async () => {
    await expect(new KindNodeAccess().remove(worker, "/etc/kubernetes")).rejects.toThrow(/the node needs it/);
    await expect(
      new MinikubeNodeAccess("kubedrill").remove("kubedrill-m02", "/var/lib/kubelet/"),
    ).rejects.toThrow(/the node needs it/);
    expect(await tools.calls()).toEqual([]);
  });
});
