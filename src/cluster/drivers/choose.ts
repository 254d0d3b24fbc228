import { ClusterError } from "../../errors.js";
import { KubeConfig } from "../kubeconfig.js";
import { localContext } from "../local/control-plane.js";
import { lastMessage, runTool, ToolMissingError } from "../tools.js";
import { type ClusterDriver, type DriverName, kindContext, minikubeContext } from "./driver.js";
import { KindDriver } from "./kind.js";
import { LocalDriver } from "./local.js";
import { MinikubeDriver } from "./minikube.js";

/** Whether a tool is installed and answers: its version when it works, else what is wrong. */
export interface ToolCheck {
  state: "works" | "missing" | "broken";
  detail: string;
}

export type ToolChecks = Record<"docker" | "kind" | "minikube", ToolCheck>;

const probes: Record<keyof ToolChecks, string[]> = {
  // Asks the daemon, not only the client: kind needs a running Docker engine.
  docker: ["version", "--format", "{{.Server.Version}}"],
  kind: ["version"],
  minikube: ["version", "--short"],
};

async function checkTool(tool: keyof ToolChecks): Promise<ToolCheck> {
  try {
    const result = await runTool(tool, probes[tool], { timeoutMs: 15_000 });
    if (result.exitCode === 0) return { state: "works", detail: result.stdout.trim().split("\n")[0] ?? "" };
    return { state: "broken", detail: lastMessage(result) || `exit ${result.exitCode}` };
  } catch (err) {
    if (err instanceof ToolMissingError) return { state: "missing", detail: "not installed" };
    if (err instanceof ClusterError) return { state: "broken", detail: err.message };
    throw err;
  }
}

const notChecked: ToolCheck = { state: "missing", detail: "not checked" };

/** Checks the tools (all three, or only those named), in parallel. */
export async function checkTools(
  only: (keyof ToolChecks)[] = ["docker", "kind", "minikube"],
): Promise<ToolChecks> {
  const check = (tool: keyof ToolChecks) => (only.includes(tool) ? checkTool(tool) : notChecked);
  const [docker, kind, minikube] = await Promise.all([check("docker"), check("kind"), check("minikube")]);
  return { docker, kind, minikube };
}

const toolsOf: Record<DriverName, (keyof ToolChecks)[]> = {
  kind: ["docker", "kind"],
  minikube: ["minikube"],
  local: [],
};

/** Why kind cannot be used, or undefined when docker and kind both work. */
function kindBlocker(tools: ToolChecks): string | undefined {
  if (tools.docker.state === "missing") return "docker is not installed";
  if (tools.docker.state === "broken") return `the Docker daemon does not answer (${tools.docker.detail})`;
  if (tools.kind.state === "missing") return "kind is not installed";
  if (tools.kind.state === "broken") return `kind does not run (${tools.kind.detail})`;
  return undefined;
}

export interface DriverChoice {
  driver: DriverName;
  why: string;
}

/** kind when docker and kind work, else minikube when it is installed, else the local cluster. */
export function chooseDriver(tools: ToolChecks): DriverChoice {
  const blocker = kindBlocker(tools);
  if (!blocker) {
    return {
      driver: "kind",
      why: `docker and kind both work (Docker ${tools.docker.detail}, ${tools.kind.detail})`,
    };
  }
  if (tools.minikube.state === "works") {
    return { driver: "minikube", why: `${blocker}, and minikube ${tools.minikube.detail} is installed` };
  }
  const minikube =
    tools.minikube.state === "missing"
      ? "minikube is not installed"
      : `minikube does not run (${tools.minikube.detail})`;
  return {
    driver: "local",
    why: `${blocker} and ${minikube}: using the local control plane (simulated nodes, no real containers)`,
  };
}

/** Which of kubedrill's clusters a kubeconfig context belongs to, if any. */
export function driverForContext(context: string | undefined): DriverName | undefined {
  if (context === kindContext) return "kind";
  if (context === minikubeContext) return "minikube";
  if (context === localContext) return "local";
  return undefined;
}

export function driverFor(name: DriverName): ClusterDriver {
  if (name === "kind") return new KindDriver();
  if (name === "minikube") return new MinikubeDriver();
  return new LocalDriver();
}

/** Refuses a driver whose tools are missing or broken, saying what to install or start. */
export function requireTools(name: DriverName, tools: ToolChecks): void {
  for (const tool of toolsOf[name]) {
    const check = tools[tool];
    if (check.state === "missing") throw new ToolMissingError(tool);
    if (check.state === "broken") {
      const fix =
        tool === "docker"
          ? "start Docker (Docker Desktop, or: sudo systemctl start docker), or practise without it: --driver local"
          : `reinstall ${tool}, or pick another driver with --driver`;
      throw new ClusterError(`${tool} is installed but does not work: ${check.detail}`, undefined, fix);
    }
  }
}

function currentContext(): string | undefined {
  try {
    const config = new KubeConfig();
    config.loadFromDefault();
    return config.getCurrentContext() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The driver for a cluster command: the one asked for; for down and status, the one
 * whose cluster the current context is; else the best the installed tools allow.
 */
export async function pickDriver(
  requested: DriverName | undefined,
  action: "up" | "down" | "status",
): Promise<{ driver: ClusterDriver; why?: string }> {
  if (requested) {
    requireTools(requested, await checkTools(toolsOf[requested]));
    return { driver: driverFor(requested) };
  }
  const context = action === "up" ? undefined : currentContext();
  const fromContext = driverForContext(context);
  if (fromContext) {
    return {
      driver: driverFor(fromContext),
      why: `the current context "${context}" is kubedrill's ${fromContext} cluster`,
    };
  }
  const choice = chooseDriver(await checkTools());
  return { driver: driverFor(choice.driver), why: choice.why };
}
