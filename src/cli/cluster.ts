import type { Command } from "commander";
import { Option } from "commander";
import { pickDriver } from "../cluster/drivers/choose.js";
import { type ClusterDriver, type DriverName, driverNames } from "../cluster/drivers/driver.js";
import { ClusterError, ExitCode, UsageError } from "../errors.js";
import { exitWith, progress } from "./output.js";

interface DriverOptions {
  driver?: DriverName;
  fresh?: boolean;
}

export function registerCluster(program: Command): void {
  const cluster = program
    .command("cluster")
    .description("create, delete and inspect a practice cluster (kind, minikube or local)");
  const driver = () =>
    new Option(
      "--driver <driver>",
      "kind, minikube or local (default for up: kind if docker and kind work, else minikube if installed, else local; " +
        "for down and status: the driver of the current context)",
    ).choices(driverNames);

  cluster
    .command("up")
    .description(
      "create (or start, or repair) the practice cluster and make its context current; the local cluster keeps its objects",
    )
    .addOption(driver())
    .option("--fresh", "local driver: delete the local cluster's objects and start empty")
    .action(exitWith(clusterUp));
  cluster
    .command("down")
    .description("delete the practice cluster, its data and its kubeconfig context")
    .addOption(driver())
    .action(exitWith(clusterDown));
  cluster
    .command("status")
    .description("show each part of the practice cluster and whether it is healthy")
    .addOption(driver())
    .action(exitWith(clusterStatus));
}

async function choose(options: DriverOptions, action: "up" | "down" | "status"): Promise<ClusterDriver> {
  const { driver, why } = await pickDriver(options.driver, action);
  if (why) progress(`using the ${driver.name} driver: ${why}`);
  return driver;
}

async function clusterUp(options: DriverOptions): Promise<number> {
  const driver = await choose(options, "up");
  if (options.fresh && driver.name !== "local") {
    throw new UsageError(
      `--fresh is for the local driver; the ${driver.name} cluster starts empty after: kubedrill cluster down`,
    );
  }
  const result = await driver.up(progress, { fresh: options.fresh });
  console.log(
    result.alreadyRunning
      ? `the ${driver.name} cluster is already running`
      : `${driver.name} cluster ready in ${result.seconds.toFixed(1)}s`,
  );
  if (result.detail) console.log(result.detail);
  console.log(`context "${result.context}" is current; try: kubectl get nodes`);
  return ExitCode.ok;
}

async function clusterDown(options: DriverOptions): Promise<number> {
  const driver = await choose(options, "down");
  const { wasRunning } = await driver.down(progress);
  console.log(
    wasRunning
      ? `${driver.name} cluster deleted; context "${driver.context}" removed`
      : `no ${driver.name} cluster was running`,
  );
  return ExitCode.ok;
}

async function clusterStatus(options: DriverOptions): Promise<number> {
  const driver = await choose(options, "status");
  const parts = await driver.status();
  if (!parts) {
    throw new ClusterError(
      `no ${driver.name} practice cluster is running`,
      driver.context,
      `start one with: kubedrill cluster up --driver ${driver.name}`,
    );
  }
  const width = Math.max(24, ...parts.map((p) => p.name.length + 1));
  for (const part of parts) {
    console.log(
      `${part.name.padEnd(width)} ${(part.healthy ? "healthy" : "FAILED").padEnd(8)} ${part.detail}`,
    );
  }
  const failed = parts.filter((p) => !p.healthy);
  if (failed.length > 0) {
    throw new ClusterError(
      `${failed.map((p) => p.name).join(", ")} not healthy`,
      driver.context,
      driver.name === "local"
        ? "kubedrill cluster up restarts what is not healthy and keeps the cluster's objects"
        : `restart the cluster: kubedrill cluster down --driver ${driver.name} && kubedrill cluster up --driver ${driver.name}`,
    );
  }
  return ExitCode.ok;
}
