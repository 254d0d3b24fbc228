import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { builtinTasks, findTask, loadCatalog } from "../../src/catalog/catalog.js";
import { connect } from "../../src/cluster/connect.js";
import { KindNodeAccess } from "../../src/cluster/node-access/kind.js";
import { runScript } from "../../src/cluster/shell.js";
import { expressionChecker } from "../../src/engine/cel.js";
import { verifyTask } from "../../src/engine/verify.js";
import { builtCli } from "../support/cli-main.js";
import { kubeconfigAs } from "../support/kubeconfig.js";
import { type StandIns, standIns } from "../support/stand-ins.js";
import { repoRoot, testEnv } from "./paths.js";

// Node-level work through the kind and minikube drivers, on the real local control plane:
// its API is reached under the context names kind and minikube give their clusters, and
// stand-in docker and minikube executables carry out node commands on the local cluster's
// node folders, where its static-pod agent turns manifests into mirror pods.

const cli = join(repoRoot, "dist", "cli", "main.js");
const localNodes = join(testEnv.KUBEDRILL_STATE_DIR, "nodes");
let tools: StandIns;
let scratch: string;
let kindKubeconfig: string;
let minikubeKubeconfig: string;

beforeAll(async () => {
  tools = await standIns(["docker", "minikube"], {
    nodesRoot: localNodes,
    minikubeProfiles: { kubedrill: ["kubedrill-control-plane", "kubedrill-worker", "kubedrill-worker2"] },
  });
  scratch = await mkdtemp(join(tmpdir(), "kubedrill-node-drivers-"));
  kindKubeconfig = await kubeconfigAs(testEnv.KUBECONFIG, join(scratch, "kind.kubeconfig"), "kind-kubedrill");
  minikubeKubeconfig = await kubeconfigAs(
    testEnv.KUBECONFIG,
    join(scratch, "minikube.kubeconfig"),
    "kubedrill",
  );
  // Stand-ins first, the real kubectl after them: solutions run both.
  vi.stubEnv("PATH", `${tools.bin}${delimiter}${process.env.PATH}`);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  for (const driver of ["kind", "minikube"]) {
    await rm(join(localNodes, "kubedrill-worker2", "tmp", `kubedrill-${driver}`), {
      recursive: true,
      force: true,
    });
  }
  await tools.remove();
  await rm(scratch, { recursive: true, force: true });
});

describe("the static-pod task on a kind cluster", () => {
  it("is set up, solved with kubedrill node cp, graded and reset through docker exec and docker cp", async () => {
    const catalog = await loadCatalog([builtinTasks], expressionChecker);
    const loaded = findTask(catalog.tasks, "static-pod");
    const target = await connect({ kubeconfig: kindKubeconfig, write: true });
    expect(target.context).toBe("kind-kubedrill");
    expect(target.nodes).toBeInstanceOf(KindNodeAccess);
    await tools.clearCalls();

    const verification = await verifyTask(loaded, target, (script) =>
      runScript(script, builtCli, { KUBECONFIG: kindKubeconfig }),
    );

    expect(verification.problems).toEqual([]);
    expect(verification.unsolved?.checks[0]?.mismatches).toEqual([
      { path: "", message: "/etc/kubernetes/manifests/static-web.yaml not found on node kubedrill-worker" },
    ]);
    expect(verification.solved?.earned).toBe(6);
    // Every node command of setup, checks, the solution and reset, exactly as docker got it.
    expect(new Set(await tools.commandLines())).toEqual(
      new Set([
        "docker exec kubedrill-worker cat /var/lib/kubelet/config.yaml",
        "docker exec kubedrill-worker rm -rf /etc/kubernetes/manifests/static-web.yaml",
        "docker exec kubedrill-worker cat /etc/kubernetes/manifests/static-web.yaml",
        "docker cp kubedrill-worker:/var/lib/kubelet/config.yaml /tmp/kubedrill-kubelet.yaml",
        "docker exec kubedrill-worker mkdir -p /etc/kubernetes/manifests",
        "docker cp /tmp/static-web.yaml kubedrill-worker:/etc/kubernetes/manifests/static-web.yaml",
      ]),
    );
    expect(existsSync(join(localNodes, "kubedrill-worker/etc/kubernetes/manifests/static-web.yaml"))).toBe(
      false,
    );
  });
});

function kubedrill(kubeconfig: string, ...args: string[]) {
  return execa(process.execPath, [cli, ...args], {
    reject: false,
    input: "",
    env: { ...testEnv, KUBECONFIG: kubeconfig, PATH: process.env.PATH, NO_COLOR: "1" },
  });
}

const drivers = [
  {
    driver: "kind",
    kubeconfig: () => kindKubeconfig,
    copyIn: (local: string, path: string) => [
      `docker exec kubedrill-worker2 mkdir -p ${path.slice(0, path.lastIndexOf("/"))}`,
      `docker cp ${local} kubedrill-worker2:${path}`,
    ],
    copyOut: (path: string, local: string) => [`docker cp kubedrill-worker2:${path} ${local}`],
    remove: (path: string) => [`docker exec kubedrill-worker2 rm -rf ${path}`],
    shell: ["docker exec -it kubedrill-worker2 bash"],
  },
  {
    driver: "minikube",
    kubeconfig: () => minikubeKubeconfig,
    copyIn: (local: string, path: string) => [`minikube -p kubedrill cp ${local} kubedrill-worker2:${path}`],
    copyOut: (path: string, local: string) => [`minikube -p kubedrill cp kubedrill-worker2:${path} ${local}`],
    remove: (path: string) => [`minikube -p kubedrill ssh -n kubedrill-worker2 -- sudo rm -rf ${path}`],
    shell: ["minikube -p kubedrill ssh -n kubedrill-worker2"],
  },
];

describe.each(drivers)(
  "kubedrill node on a $driver context",
  ({ driver, kubeconfig, copyIn, copyOut, remove, shell }) => {
    const nodePath = `/tmp/kubedrill-${driver}/note.txt`;
    const onHost = join(localNodes, "kubedrill-worker2", nodePath);

    it("node cp copies a local file to the node, then back", async () => {
      const local = join(scratch, `${driver}-note.txt`);
      const back = join(scratch, `${driver}-back.txt`);
      await writeFile(local, `written through ${driver}\n`);
      await tools.clearCalls();
      const to = await kubedrill(kubeconfig(), "node", "cp", local, `kubedrill-worker2:${nodePath}`);
      expect(to.stderr).toBe("");
      expect(to.exitCode).toBe(0);
      expect(await readFile(onHost, "utf8")).toBe(`written through ${driver}\n`);
      const from = await kubedrill(kubeconfig(), "node", "cp", `kubedrill-worker2:${nodePath}`, back);
      expect(from.exitCode).toBe(0);
      expect(await readFile(back, "utf8")).toBe(`written through ${driver}\n`);
      expect(await tools.commandLines()).toEqual([...copyIn(local, nodePath), ...copyOut(nodePath, back)]);
    });

    it("node rm removes the file on the node", async () => {
      await tools.clearCalls();
      const result = await kubedrill(kubeconfig(), "node", "rm", `kubedrill-worker2:${nodePath}`);
      expect(result.exitCode).toBe(0);
      expect(existsSync(onHost)).toBe(false);
      expect(await tools.commandLines()).toEqual(remove(nodePath));
    });

    it("node shell opens the driver's shell on the node", async () => {
      await tools.clearCalls();
      const result = await kubedrill(kubeconfig(), "node", "shell", "kubedrill-worker2");
      expect(result.exitCode).toBe(0);
      expect(await tools.commandLines()).toEqual(shell);
    });
  },
);
