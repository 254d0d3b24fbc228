import type { NodeUnit, Step } from "../catalog/schema.js";
import type { Mismatch } from "../model/results.js";
import type { NodeAccess } from "./ports.js";

/** What setup, reset and checks need of node access to read and change a node's services. */
export type NodeCommands = Pick<NodeAccess, "exec">;

/** Whether a unit runs and starts at boot, as `systemctl is-active` and `is-enabled` say. */
export interface ServiceState {
  /** `active`, `inactive`, `failed`, `activating`… */
  active: string;
  /** `enabled`, `disabled`, `masked`… */
  enabled: string;
}

const said = (stdout: string, fallback: string) => stdout.trim().split("\n")[0] || fallback;

/**
 * Asks the node's systemctl, as a learner would on the node: a non-zero exit is an answer
 * (3: not active, 1: not enabled), not a failure. Read in turn: a node shell at a time.
 */
export async function readService(nodes: NodeCommands, { node, unit }: NodeUnit): Promise<ServiceState> {
  const active = await nodes.exec(node, ["systemctl", "is-active", unit]);
  const enabled = await nodes.exec(node, ["systemctl", "is-enabled", unit]);
  return {
    active: said(active.stdout, active.exitCode === 0 ? "active" : "inactive"),
    enabled: said(enabled.stdout, enabled.exitCode === 0 ? "enabled" : "disabled"),
  };
}

export const isActive = (state: ServiceState) => state.active === "active";
export const isEnabled = (state: ServiceState) => state.enabled === "enabled";

/** The systemctl commands a systemctl step runs, in order: enable or disable first, then the state. */
export function stepCommands(step: Extract<Step, { systemctl: unknown }>["systemctl"]): string[][] {
  const verb = { started: "start", stopped: "stop", restarted: "restart" }[step.state];
  return [
    ...(step.enabled === undefined ? [] : [["systemctl", step.enabled ? "enable" : "disable", step.unit]]),
    ["systemctl", verb, step.unit],
  ];
}

/** The systemctl commands that bring a unit from `now` to active/enabled as wanted; none when it is. */
export function restoreCommands(
  unit: string,
  now: ServiceState,
  want: { active: boolean; enabled: boolean },
): string[][] {
  const commands: string[][] = [];
  if (isEnabled(now) !== want.enabled)
    commands.push(["systemctl", want.enabled ? "enable" : "disable", unit]);
  if (isActive(now) !== want.active) commands.push(["systemctl", want.active ? "start" : "stop", unit]);
  return commands;
}

/** Runs systemctl commands on a node; the first that fails stops the rest, with what it said. */
export async function runSystemctl(nodes: NodeCommands, node: string, commands: string[][]): Promise<void> {
  for (const argv of commands) {
    const result = await nodes.exec(node, argv);
    if (result.exitCode !== 0) {
      const why = (result.stderr || result.stdout).trim() || `exit ${result.exitCode}`;
      throw new Error(`${argv.join(" ")} on node ${node} failed: ${why}`);
    }
  }
}

/** What a nodeService check wants that the unit does not do, said as systemctl says it. */
export function serviceMismatches(
  { node, unit }: NodeUnit,
  state: ServiceState,
  want: { active?: boolean; enabled?: boolean },
): Mismatch[] {
  const mismatches: Mismatch[] = [];
  if (want.active !== undefined && isActive(state) !== want.active) {
    mismatches.push({
      path: `${node}: systemctl is-active ${unit}`,
      found: state.active,
      want: want.active ? "active" : "not active",
    });
  }
  if (want.enabled !== undefined && isEnabled(state) !== want.enabled) {
    mismatches.push({
      path: `${node}: systemctl is-enabled ${unit}`,
      found: state.enabled,
      want: want.enabled ? "enabled" : "not enabled",
    });
  }
  return mismatches;
}
