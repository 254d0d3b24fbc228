import { existsSync } from "node:fs";
import { delimiter } from "node:path";
import { KubedrillError } from "../errors.js";
import { type Capability, capabilityNames } from "../model/capabilities.js";
import { isReady, type KubeObject } from "../model/kube.js";
import { type ApiOptions, ApiStatusError, KubeApi } from "./api.js";
import { type Capabilities, capabilitiesFrom, countWorkers, readClusterFacts } from "./capabilities.js";
import { checkTools, chooseDriver } from "./drivers/choose.js";
import { kubeconfigFile } from "./kubeconfig-file.js";
import { localHealthLines } from "./local/doctor-lines.js";
import { nodeAccessFor } from "./node-access/index.js";
import { gatherFacts, judgePractice } from "./safety.js";
import { runTool, ToolMissingError } from "./tools.js";

export type Verdict = "ok" | "warn" | "fail" | "info";

export interface DoctorLine {
  check: string;
  verdict: Verdict;
  detail: string;
  /** What to do about a warning or a failure. */
  fix?: string;
}

export interface DoctorReport {
  context?: string;
  lines: DoctorLine[];
  /** No line failed: practice can start (warnings only mean some tasks are skipped). */
  ready: boolean;
}

const capabilityFixes: Record<Capability, string> = {
  containers:
    "practise on a cluster that runs containers: kubedrill cluster up --driver kind (or --driver minikube)",
  "network-policy": "use kind v0.24 or later (kindnet enforces NetworkPolicy), or install Calico or Cilium",
  "node-access": "node-level tasks need a kind, minikube or local cluster: kubedrill cluster up",
  "metrics-server":
    "minikube: minikube -p kubedrill addons enable metrics-server; kind: kubectl apply -f " +
    "https://github.com/kubernetes-sigs/metrics-server/releases/latest/download/components.yaml " +
    "and add --kubelet-insecure-tls to its args",
  dns: "kind and minikube come with CoreDNS; elsewhere install CoreDNS",
  provisioner:
    "kind, minikube and the local cluster have a default StorageClass; elsewhere install one (e.g. rancher's local-path-provisioner)",
  logs: "kind, minikube and the local cluster serve kubectl logs: kubedrill cluster up",
  "node-services": "node services need a kind, minikube or local cluster: kubedrill cluster up",
  etcdctl:
    "the local cluster's control-plane node has etcdctl and etcdutl (kubedrill cluster up --driver local); kind and minikube nodes have none",
  "api-server-down":
    "the local cluster is graded and reset while its API server is down (kubedrill cluster up --driver local); kind and minikube need their API server for both",
  helm: "install Helm 3: https://helm.sh/docs/intro/install/ (or with Go: go install helm.sh/helm/v3/cmd/helm@latest)",
};

/** A failed step as a line, with the error's own hint as the fix. */
function failure(check: string, err: unknown): DoctorLine {
  if (err instanceof KubedrillError) return { check, verdict: "fail", detail: err.message, fix: err.hint };
  if (err instanceof ApiStatusError) {
    const fix = "is this a Kubernetes API server? check the address: kubectl config view --minify";
    return { check, verdict: "fail", detail: `answered ${err.status}: ${err.message}`, fix };
  }
  throw err;
}

function kubeconfigLine(options: ApiOptions): DoctorLine {
  const files = options.kubeconfig
    ? [options.kubeconfig]
    : (process.env.KUBECONFIG?.split(delimiter).filter(Boolean) ?? [kubeconfigFile()]);
  const found = files.filter((f) => existsSync(f));
  if (found.length === 0) {
    return {
      check: "kubeconfig",
      verdict: "fail",
      detail: `not found: ${files.join(", ")}`,
      fix: "create a practice cluster, which writes it: kubedrill cluster up",
    };
  }
  return { check: "kubeconfig", verdict: "ok", detail: found.join(", ") };
}

async function contextLine(api: KubeApi, options: ApiOptions): Promise<DoctorLine> {
  const where = `"${api.contextName}" at ${api.server}`;
  const files = options.kubeconfig ? [options.kubeconfig] : undefined;
  const verdict = judgePractice(await gatherFacts(api, files));
  if (verdict.practice) {
    return { check: "context", verdict: "ok", detail: `${where}: ${verdict.why}; tasks may change it` };
  }
  return {
    check: "context",
    verdict: "warn",
    detail: `${where} is not recognised as a practice cluster (${verdict.why}): start and reset refuse to change it`,
    fix: `switch to a practice cluster (kubedrill cluster up), or if it is yours to break: --allow-context ${api.contextName}`,
  };
}

const minor = (version: string) => Number(/^v?\d+\.(\d+)/.exec(version)?.[1] ?? Number.NaN);

async function kubectlLine(api: KubeApi, options: ApiOptions, server: string): Promise<DoctorLine> {
  const args = ["version", "--output=json", "--request-timeout=10s", `--context=${api.contextName}`];
  if (options.kubeconfig) args.push(`--kubeconfig=${options.kubeconfig}`);
  let client: string | undefined;
  try {
    const result = await runTool("kubectl", args, { timeoutMs: 20_000 });
    client = (JSON.parse(result.stdout || "{}") as { clientVersion?: { gitVersion?: string } }).clientVersion
      ?.gitVersion;
  } catch (err) {
    if (err instanceof ToolMissingError) {
      return { check: "kubectl", verdict: "fail", detail: "kubectl is not installed", fix: err.hint };
    }
    if (!(err instanceof SyntaxError)) throw err;
  }
  if (!client) {
    return {
      check: "kubectl",
      verdict: "warn",
      detail: "kubectl did not say its version",
      fix: "run: kubectl version",
    };
  }
  const skew = Math.abs(minor(client) - minor(server));
  const versions = `kubectl ${client}, server ${server}`;
  if (skew <= 1)
    return { check: "kubectl", verdict: "ok", detail: `${versions}: skew ${skew} minor, supported` };
  return {
    check: "kubectl",
    verdict: "warn",
    detail: `${versions}: ${skew} minor versions apart; kubectl supports one minor version either way`,
    fix: `install kubectl ${server.replace(/\.\d+$/, "")}: https://kubernetes.io/docs/tasks/tools/#kubectl`,
  };
}

function nodesLine(nodes: KubeObject[]): DoctorLine {
  const ready = nodes.filter(isReady);
  const names = nodes.map((n) => `${n.metadata?.name}${isReady(n) ? "" : " (NotReady)"}`).join(", ");
  const detail = `${ready.length} of ${nodes.length} Ready, ${countWorkers(nodes)} of them workers: ${names || "none"}`;
  if (ready.length === 0) {
    return {
      check: "nodes",
      verdict: "fail",
      detail,
      fix: "kubectl describe nodes tells why; on the local cluster, kubedrill cluster up restarts what is missing and keeps your objects",
    };
  }
  if (ready.length < nodes.length)
    return { check: "nodes", verdict: "warn", detail, fix: "kubectl describe node NAME tells why" };
  return { check: "nodes", verdict: "ok", detail };
}

/** Node access for the context, proven by reading the kubelet's configuration on a Ready node. */
async function nodeAccessLine(
  context: string,
  nodes: KubeObject[],
): Promise<{ line: DoctorLine; driver?: string }> {
  const probe = "/var/lib/kubelet/config.yaml";
  const line = (verdict: Verdict, detail: string): DoctorLine => ({ check: "node access", verdict, detail });
  try {
    const access = nodeAccessFor(context);
    const node = nodes.find(isReady)?.metadata?.name;
    if (!node) return { line: line("warn", `${access.driver}: no Ready node to try`) };
    if ((await access.read(node, probe)) === undefined) {
      return { line: line("warn", `${access.driver}: reached ${node}, but it has no ${probe}`) };
    }
    return { line: line("ok", `${access.driver}: read ${probe} on ${node}`), driver: access.driver };
  } catch (err) {
    return { line: { ...failure("node access", err), verdict: "warn" } };
  }
}

function capabilityLines(capabilities: Capabilities): DoctorLine[] {
  const lines = capabilityNames
    .filter((name) => name !== "node-access")
    .map((name): DoctorLine => {
      const { available, why } = capabilities.has[name];
      return available
        ? { check: name, verdict: "ok", detail: why }
        : { check: name, verdict: "warn", detail: why, fix: capabilityFixes[name] };
    });
  const workers = capabilities.workers;
  lines.push(
    workers >= 2
      ? { check: "workers", verdict: "ok", detail: `${workers} Ready workers, as in the CKA` }
      : {
          check: "workers",
          verdict: "warn",
          detail: `${workers} Ready worker(s); the CKA and some tasks expect 2`,
          fix: "kubedrill cluster up creates one control plane and two workers",
        },
  );
  return lines;
}

async function toolsLine(): Promise<DoctorLine> {
  const tools = await checkTools();
  const said = (["docker", "kind", "minikube"] as const).map((t) => `${t}: ${tools[t].detail}`);
  const choice = chooseDriver(tools);
  return {
    check: "drivers",
    verdict: "info",
    detail: `${said.join("; ")} → kubedrill cluster up would use ${choice.driver}`,
  };
}

/** Everything a learner's setup needs, in order; stops at the first thing that makes the rest unknowable. */
export async function diagnose(options: ApiOptions = {}): Promise<DoctorReport> {
  const lines: DoctorLine[] = [kubeconfigLine(options)];
  const done = async (context?: string): Promise<DoctorReport> => {
    lines.push(await toolsLine());
    return { context, lines, ready: lines.every((l) => l.verdict !== "fail") };
  };
  if (lines[0]?.verdict === "fail") return done();
  let api: KubeApi;
  try {
    api = KubeApi.load(options);
  } catch (err) {
    lines.push(failure("context", err));
    return done();
  }
  // The local cluster's own processes first: they say which part is down when the API is not.
  const local = await localHealthLines(api.contextName, options.kubeconfig);
  lines.push(...local);
  const down = local.filter((l) => l.verdict === "fail" && ["etcd", "kube-apiserver"].includes(l.check));
  if (down.length > 0) {
    // Without them every request would only wait out its timeout.
    const names = down.map((l) => l.check).join(" and ");
    lines.push({ check: "API server", verdict: "fail", detail: `not asked: ${names} not healthy (above)` });
    return done(api.contextName);
  }
  let server: string;
  try {
    server = (await api.request<{ gitVersion: string }>("GET", "/version")).gitVersion;
    lines.push({ check: "API server", verdict: "ok", detail: `reachable, Kubernetes ${server}` });
  } catch (err) {
    lines.push(failure("API server", err));
    return done(api.contextName);
  }
  try {
    lines.push(await contextLine(api, options));
  } catch (err) {
    lines.push(failure("context", err));
    return done(api.contextName);
  }
  lines.push(await kubectlLine(api, options, server));
  let nodes: KubeObject[];
  try {
    nodes = await api.list("v1", "Node");
  } catch (err) {
    // e.g. etcd is down: the API server answers /version but not a list.
    lines.push(failure("nodes", err));
    return done(api.contextName);
  }
  lines.push(nodesLine(nodes));
  const access = await nodeAccessLine(api.contextName, nodes);
  lines.push(access.line);
  lines.push(...capabilityLines(capabilitiesFrom(await readClusterFacts(api, access.driver))));
  return done(api.contextName);
}
