import { pickDriver } from "../cluster/drivers/choose.js";
import type { DriverName } from "../cluster/drivers/driver.js";
import { ClusterError, ExitCode, UsageError } from "../errors.js";
import { type CliIO, progress, say } from "./io.js";
import type { CommandContext } from "./program.js";

interface DriverOptions {
  driver?: DriverName;
  fresh?: boolean;
}

async function choose(io: CliIO, options: DriverOptions, action: "up" | "down" | "status") {
  const { driver, why } = await pickDriver(options.driver, action);
  if (why) progress(io, `using the ${driver.name} driver: ${why}`);
  return driver;
}

async function up({ io }: CommandContext, options: DriverOptions): Promise<number> {
  const driver = await choose(io, options, "up");
  if (options.fresh && driver.name !== "local") {
    throw new UsageError(
      `--fresh is for the local driver; the ${driver.name} cluster starts empty after: kubedrill cluster down`,
    );
  }
  const result = await driver.up((line) => progress(io, line), { fresh: options.fresh });
  say(
    io,
    result.alreadyRunning
      ? `the ${driver.name} cluster is already running`
      : `${driver.name} cluster ready in ${result.seconds.toFixed(1)}s`,
  );
  if (result.detail) say(io, result.detail);
  say(io, `context "${result.context}" is current; try: kubectl get nodes`);
  return ExitCode.ok;
}

async function down({ io }: CommandContext, options: DriverOptions): Promise<number> {
  const driver = await choose(io, options, "down");
  const { wasRunning } = await driver.down((line) => progress(io, line));
  say(
    io,
    wasRunning
      ? `${driver.name} cluster deleted; context "${driver.context}" removed`
      : `no ${driver.name} cluster was running`,
  );
  return ExitCode.ok;
}

async function status({ io }: CommandContext, options: DriverOptions): Promise<number> {
  const driver = await choose(io, options, "status");
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
    say(io, `${part.name.padEnd(width)} ${(part.healthy ? "healthy" : "FAILED").padEnd(8)} ${part.detail}`);
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

/** `kubedrill cluster up|down|status`. */
export const cluster = { up, down, status };
