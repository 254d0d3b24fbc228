import type { Command } from "commander";
import { Option } from "commander";
import { down, localContext, status, up } from "../cluster/local/control-plane.js";
import { ClusterError, ExitCode } from "../errors.js";
import { exitWith, progress } from "./output.js";

export function registerCluster(program: Command): void {
  const cluster = program.command("cluster").description("start, stop and inspect a practice cluster");
  const driver = new Option("--driver <driver>", "where the cluster runs")
    .choices(["local"])
    .default("local");

  cluster
    .command("up")
    .description("start a practice cluster and make its context current")
    .addOption(driver)
    .action(exitWith(clusterUp));
  cluster
    .command("down")
    .description("stop the practice cluster, delete its data and its kubeconfig context")
    .addOption(driver)
    .action(exitWith(clusterDown));
  cluster
    .command("status")
    .description("show each component of the practice cluster and whether it is healthy")
    .addOption(driver)
    .action(exitWith(clusterStatus));
}

async function clusterUp(): Promise<number> {
  const result = await up(progress);
  if (result.alreadyRunning) {
    console.log(`the local cluster is already running at ${result.server} (context "${localContext}")`);
  } else {
    console.log(`local cluster ready in ${result.seconds.toFixed(1)}s at ${result.server}`);
    console.log(`context "${localContext}" is now current in ${result.kubeconfig}; try: kubectl get nodes`);
  }
  return ExitCode.ok;
}

async function clusterDown(): Promise<number> {
  const { wasRunning } = await down();
  console.log(
    wasRunning
      ? `local cluster stopped and deleted; context "${localContext}" removed`
      : "no local cluster was running",
  );
  return ExitCode.ok;
}

async function clusterStatus(): Promise<number> {
  const components = await status();
  if (!components) {
    throw new ClusterError(
      "no local cluster is running",
      localContext,
      "start one with: kubedrill cluster up",
    );
  }
  for (const c of components) {
    const mark = c.healthy ? "healthy" : "FAILED";
    const extra = c.healthy ? `pid ${c.pid}` : `${c.detail}; log: ${c.log}`;
    console.log(`${c.name.padEnd(24)} ${mark.padEnd(8)} ${extra}`);
  }
  const failed = components.filter((c) => !c.healthy);
  if (failed.length > 0) {
    throw new ClusterError(
      `${failed.map((c) => c.name).join(", ")} not healthy`,
      localContext,
      "restart the cluster: kubedrill cluster down && kubedrill cluster up",
    );
  }
  return ExitCode.ok;
}
