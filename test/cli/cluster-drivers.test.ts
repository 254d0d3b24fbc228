import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type StandInState, type StandIns, type StandInTool, standIns } from "../support/stand-ins.js";

// `kubedrill cluster up|down|status` as a learner runs it, with stand-in docker, kind and
// minikube as the only programs on PATH: the exact command lines each driver runs, which
// driver is chosen and why, and what is said when a tool is missing.

const repo = fileURLToPath(new URL("../../", import.meta.url));
const cli = join(repo, "dist", "cli", "main.js");
const kindConfig = join(repo, "kind-config.yaml");
const probes = ["docker version --format {{.Server.Version}}", "kind version", "minikube version --short"];

let tools: StandIns;
let scratch: string;

beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
});
afterEach(async () => {
  await tools?.remove();
  await rm(scratch, { recursive: true, force: true });
});

async function setUp(available: StandInTool[], state: Partial<StandInState> = {}, currentContext = "") {
  tools = await standIns(available, state);
  scratch = await mkdtemp(join(tmpdir(), "kubedrill-cluster-cli-"));
  await writeFile(
    join(scratch, "kubeconfig"),
    `apiVersion: v1\nkind: Config\ncurrent-context: "${currentContext}"\n`,
  );
}

async function kubedrill(...args: string[]) {
  const result = await execa(process.execPath, [cli, ...args], {
    reject: false,
    extendEnv: false,
    env: {
      PATH: tools.bin,
      HOME: scratch,
      KUBECONFIG: join(scratch, "kubeconfig"),
      KUBEDRILL_STATE_DIR: join(scratch, "state"),
      NO_COLOR: "1",
    },
  });
  const lines = await tools.commandLines();
  // Tool probes run in parallel, so their order varies; everything after them is in order.
  return {
    ...result,
    probed: lines.filter((l) => probes.includes(l)).sort(),
    ran: lines.filter((l) => !probes.includes(l)),
  };
}

const running = (name: string) => ({ name, state: "running" as const });
const kindCluster = [
  running("kubedrill-control-plane"),
  running("kubedrill-worker"),
  running("kubedrill-worker2"),
];
const minikubeProfile = { minikubeProfiles: { kubedrill: ["kubedrill", "kubedrill-m02", "kubedrill-m03"] } };

describe("cluster up", () => {
  it("without --driver uses kind when docker and kind work, says why, and creates the cluster from kind-config.yaml", async () => {
    await setUp(["docker", "kind", "minikube"]);
    const result = await kubedrill("cluster", "up");
    expect(result.stderr).toContain(
      "using the kind driver: docker and kind both work (Docker 28.2.2, kind v0.29.0 go1.24.2 linux/amd64)",
    );
    expect(result.probed).toEqual([...probes].sort());
    expect(result.ran).toEqual([
      "kind get clusters",
      `kind create cluster --name kubedrill --config ${kindConfig}`,
    ]);
    expect(result.stdout).toMatch(
      /^kind cluster ready in \d+\.\ds\ncontext "kind-kubedrill" is current; try: kubectl get nodes$/,
    );
    expect(result.exitCode).toBe(0);
    expect(Object.keys((await tools.state()).kindClusters)).toEqual(["kubedrill"]);
  });

  it("--driver kind on an existing cluster does not create it again, only makes its context current", async () => {
    await setUp(["docker", "kind"], { kindClusters: { kubedrill: kindCluster } });
    const result = await kubedrill("cluster", "up", "--driver", "kind");
    expect(result.probed).toEqual(["docker version --format {{.Server.Version}}", "kind version"]);
    expect(result.ran).toEqual(["kind get clusters", "kind export kubeconfig --name kubedrill"]);
    expect(result.stdout).toContain("the kind cluster is already running");
    expect(result.exitCode).toBe(0);
  });

  it("without --driver uses minikube when the Docker daemon does not answer, and says why", async () => {
    await setUp(["docker", "kind", "minikube"], { dockerRunning: false });
    const result = await kubedrill("cluster", "up");
    expect(result.stderr).toContain(
      "using the minikube driver: the Docker daemon does not answer (Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?), and minikube v1.36.0 is installed",
    );
    expect(result.ran).toEqual([
      "minikube -p kubedrill start --nodes=3 --kubernetes-version=v1.33.1 --container-runtime=containerd --cni=calico",
    ]);
    expect(result.stdout).toContain('context "kubedrill" is current');
    expect(result.exitCode).toBe(0);
  });

  it("--driver kind without kind installed exits 3 and says what to install", async () => {
    await setUp(["docker"]);
    const result = await kubedrill("cluster", "up", "--driver", "kind");
    expect(result.stderr).toBe(
      'kubedrill: kind is not installed (no "kind" on PATH)\n  next: install kind: https://kind.sigs.k8s.io/docs/user/quick-start/#installation',
    );
    expect(result.ran).toEqual([]);
    expect(result.exitCode).toBe(3);
  });

  it("--driver kind with the Docker daemon down exits 3 and says to start Docker", async () => {
    await setUp(["docker", "kind"], { dockerRunning: false });
    const result = await kubedrill("cluster", "up", "--driver", "kind");
    expect(result.stderr).toContain(
      "kubedrill: docker is installed but does not work: Cannot connect to the Docker daemon",
    );
    expect(result.stderr).toContain("next: start Docker");
    expect(result.exitCode).toBe(3);
  });

  it("--driver minikube without minikube installed exits 3 and says what to install", async () => {
    await setUp(["docker", "kind"]);
    const result = await kubedrill("cluster", "up", "--driver", "minikube");
    expect(result.stderr).toContain("next: install minikube: https://minikube.sigs.k8s.io/docs/start/");
    expect(result.exitCode).toBe(3);
  });

  it("--driver accepts only kind, minikube and local", async () => {
    await setUp([]);
    const result = await kubedrill("cluster", "up", "--driver", "k3d");
    expect(result.stderr).toContain("Allowed choices are kind, minikube, local");
    expect(result.exitCode).toBe(2);
  });
});

describe("cluster status", () => {
  it("--driver kind lists the node containers kind labeled", async () => {
    await setUp(["docker", "kind"], { kindClusters: { kubedrill: kindCluster } });
    const result = await kubedrill("cluster", "status", "--driver", "kind");
    expect(result.ran).toEqual([
      "kind get clusters",
      "docker ps --all --filter label=io.x-k8s.kind.cluster=kubedrill --format {{.Names}}\t{{.State}}\t{{.Status}}",
    ]);
    expect(result.stdout.split("\n").map((l) => l.split(/\s+/).slice(0, 2))).toEqual([
      ["kubedrill-control-plane", "healthy"],
      ["kubedrill-worker", "healthy"],
      ["kubedrill-worker2", "healthy"],
    ]);
    expect(result.exitCode).toBe(0);
  });

  it("--driver kind with a stopped node container says which, and exits 3", async () => {
    const stopped = [...kindCluster.slice(0, 2), { name: "kubedrill-worker2", state: "exited" as const }];
    await setUp(["docker", "kind"], { kindClusters: { kubedrill: stopped } });
    const result = await kubedrill("cluster", "status", "--driver", "kind");
    expect(result.stdout).toMatch(/^kubedrill-worker2\s+FAILED\s+container Exited/m);
    expect(result.stderr).toContain("kubedrill: kubedrill-worker2 not healthy");
    expect(result.exitCode).toBe(3);
  });

  it("--driver minikube reads minikube's JSON status, one row per node", async () => {
    await setUp(["minikube"], minikubeProfile);
    const result = await kubedrill("cluster", "status", "--driver", "minikube");
    expect(result.ran).toEqual(["minikube -p kubedrill status --output=json"]);
    expect(result.stdout).toMatch(
      /^kubedrill\s+healthy\s+host Running, kubelet Running, apiserver Running$/m,
    );
    expect(result.stdout).toMatch(/^kubedrill-m03\s+healthy\s+host Running, kubelet Running$/m);
    expect(result.exitCode).toBe(0);
  });

  it("without --driver follows the current context to kubedrill's kind cluster, without probing tools", async () => {
    await setUp(
      ["docker", "kind", "minikube"],
      { kindClusters: { kubedrill: kindCluster } },
      "kind-kubedrill",
    );
    const result = await kubedrill("cluster", "status");
    expect(result.stderr).toContain(
      'using the kind driver: the current context "kind-kubedrill" is kubedrill\'s kind cluster',
    );
    expect(result.probed).toEqual([]);
    expect(result.exitCode).toBe(0);
  });

  it("without --driver, any tool, or a kubedrill context, looks at the local cluster and says why", async () => {
    await setUp([]);
    const result = await kubedrill("cluster", "status");
    expect(result.stderr).toContain(
      "using the local driver: docker is not installed and minikube is not installed: using the local control plane",
    );
    expect(result.stderr).toContain(
      "kubedrill: no local practice cluster is running\n  next: start one with: kubedrill cluster up --driver local",
    );
    expect(result.exitCode).toBe(3);
  });
});

describe("cluster down", () => {
  it("--driver kind deletes the kind cluster", async () => {
    await setUp(["docker", "kind"], { kindClusters: { kubedrill: kindCluster } });
    const result = await kubedrill("cluster", "down", "--driver", "kind");
    expect(result.ran).toEqual(["kind get clusters", "kind delete cluster --name kubedrill"]);
    expect(result.stdout).toBe('kind cluster deleted; context "kind-kubedrill" removed');
    expect((await tools.state()).kindClusters).toEqual({});
  });

  it("--driver kind when there is no cluster deletes nothing", async () => {
    await setUp(["docker", "kind"]);
    const result = await kubedrill("cluster", "down", "--driver", "kind");
    expect(result.ran).toEqual(["kind get clusters"]);
    expect(result.stdout).toBe("no kind cluster was running");
    expect(result.exitCode).toBe(0);
  });

  it("--driver minikube deletes the kubedrill profile", async () => {
    await setUp(["minikube"], minikubeProfile);
    const result = await kubedrill("cluster", "down", "--driver", "minikube");
    expect(result.ran).toEqual([
      "minikube -p kubedrill status --output=json",
      "minikube -p kubedrill delete",
    ]);
    expect(result.stdout).toBe('minikube cluster deleted; context "kubedrill" removed');
    expect((await tools.state()).minikubeProfiles).toEqual({});
  });
});
