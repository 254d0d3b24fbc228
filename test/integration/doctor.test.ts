import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DoctorReport } from "../../src/cluster/doctor.js";
import { kubeconfigAs } from "../support/kubeconfig.js";
import { repoRoot, testEnv } from "./paths.js";

// `kubedrill doctor` as a learner runs it: on the local test cluster, and on a context
// whose server is not there.

const cli = join(repoRoot, "dist", "cli", "main.js");
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "kubedrill-doctor-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const doctor = (env: Record<string, string>, ...args: string[]) =>
  execa(process.execPath, [cli, "doctor", ...args], {
    reject: false,
    env: { ...testEnv, NO_COLOR: "1", ...env },
  });

describe("kubedrill doctor", () => {
  it("on the local cluster: everything practice needs is there, the simulated parts are warnings, exit 0", async () => {
    const result = await doctor({});
    const line = (check: string) =>
      result.stdout.split("\n").find((l) => l.slice(2).startsWith(`${check} `)) ?? "";
    expect(line("kubeconfig")).toMatch(/^✓ kubeconfig\s+.*\.kubedrill-test\/kubeconfig$/);
    expect(line("context")).toMatch(
      /^✓ context\s+"kubedrill-local" at https:\/\/127\.0\.0\.1:\d+: kubedrill's local cluster \(kube-system uid matches .*\.kubedrill-test\/state\); tasks may change it$/,
    );
    expect(line("API server")).toMatch(/^✓ API server\s+reachable, Kubernetes v1\.33\.\d+$/);
    expect(line("kubectl")).toMatch(
      /^✓ kubectl\s+kubectl v1\.3\d\.\d+, server v1\.33\.\d+: skew [01] minor, supported$/,
    );
    expect(line("nodes")).toMatch(
      /^✓ nodes\s+3 of 3 Ready, 2 of them workers: kubedrill-control-plane, kubedrill-worker, kubedrill-worker2$/,
    );
    expect(line("node access")).toMatch(
      /^✓ node access\s+local: read \/var\/lib\/kubelet\/config\.yaml on kubedrill-/,
    );
    expect(line("containers")).toMatch(/^! containers\s+the nodes are simulated \(kwok\)/);
    expect(result.stdout).toContain(
      "fix: practise on a cluster that runs containers: kubedrill cluster up --driver kind",
    );
    expect(line("network-policy")).toMatch(/^! network-policy/);
    expect(line("provisioner")).toMatch(
      /^✓ provisioner\s+StorageClass standard is the default \(provisioner rancher\.io\/local-path\)$/,
    );
    expect(line("logs")).toMatch(/^✓ logs\s+the local cluster's node agent serves kubectl logs/);
    // The component's line (its process) comes first, the capability's below it.
    expect(result.stdout).toMatch(/^✓ metrics-server\s+pid \d+, answering$/m);
    expect(result.stdout).toMatch(
      /^✓ metrics-server\s+metrics\.k8s\.io is Available \(kubectl top works\)$/m,
    );
    expect(line("node-services")).toMatch(/^✓ node-services\s+the node shell answers systemctl/);
    // The integration tests put the Helm they build on PATH (test/integration/helm.ts).
    expect(line("helm")).toMatch(/^✓ helm\s+helm is on PATH \(\/.*\/helm\)$/);
    expect(line("workers")).toMatch(/^✓ workers\s+2 Ready workers/);
    expect(result.stdout.trimEnd().split("\n").at(-1)).toMatch(/^practice can start \(3 warning\(s\)/);
    expect(result.exitCode).toBe(0);
  });

  it("--json gives the same findings for scripts", async () => {
    const result = await doctor({}, "--json");
    const report = JSON.parse(result.stdout) as DoctorReport;
    expect(report.ready).toBe(true);
    expect(report.context).toBe("kubedrill-local");
    // The local cluster's components come first: they tell which part is down when the API is not.
    expect(report.lines.map((l) => l.check)).toEqual([
      "kubeconfig",
      "kubelet",
      "etcd",
      "kube-apiserver",
      "kube-controller-manager",
      "kube-scheduler",
      "kwok",
      "metrics-server",
      "API server",
      "context",
      "kubectl",
      "nodes",
      "node access",
      "containers",
      "network-policy",
      "metrics-server",
      "dns",
      "provisioner",
      "logs",
      "node-services",
      "etcdctl",
      "api-server-down",
      "helm",
      "workers",
      "drivers",
    ]);
  });

  it("on an unreachable server: says so with what to do, stops there, exit 3", async () => {
    const kubeconfig = await kubeconfigAs(
      testEnv.KUBECONFIG,
      join(scratch, "gone.kubeconfig"),
      "kind-gone",
      "https://127.0.0.1:1",
    );
    const result = await doctor({ KUBECONFIG: kubeconfig });
    expect(result.stdout).toContain(
      '✗ API server  cannot reach cluster "kind-gone" at https://127.0.0.1:1 (ECONNREFUSED)',
    );
    expect(result.stdout).toMatch(
      /^\s+fix: is it running\? try: kubedrill cluster status, or kubedrill cluster up$/m,
    );
    expect(result.stdout).not.toMatch(/^. (kubectl|nodes|node access|containers) /m);
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe("practice cannot start: fix the ✗ lines above");
    expect(result.exitCode).toBe(3);
  });

  it("without any kubeconfig: says which file is missing and how to get one, exit 3", async () => {
    const result = await doctor({ KUBECONFIG: join(scratch, "none.kubeconfig") });
    expect(result.stdout).toMatch(/^✗ kubeconfig\s+not found: .*none\.kubeconfig$/m);
    expect(result.stdout).toContain("fix: create a practice cluster, which writes it: kubedrill cluster up");
    expect(result.exitCode).toBe(3);
  });
});
