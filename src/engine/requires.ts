import type { Requirement } from "../catalog/schema.js";
import type { Capabilities } from "../model/capabilities.js";

export type { Capabilities };

/** Each requirement of a task that the cluster does not meet, said with the evidence; empty when it can run. */
export function unmetRequirements(requires: Requirement[] | undefined, capabilities: Capabilities): string[] {
  return (requires ?? []).flatMap((requirement) => {
    if (typeof requirement === "string") {
      const state = capabilities.has[requirement];
      return state.available ? [] : [`needs ${requirement}: ${state.why}`];
    }
    const { workers } = requirement;
    return capabilities.workers >= workers
      ? []
      : [
          `needs ${workers} worker node${workers === 1 ? "" : "s"}: the cluster has ${capabilities.workers} Ready`,
        ];
  });
}

/** Why a task cannot run on this cluster, in one line; undefined when it can (or nothing is known). */
export function skipReason(
  requires: Requirement[] | undefined,
  capabilities?: Capabilities,
): string | undefined {
  if (!capabilities) return undefined;
  const unmet = unmetRequirements(requires, capabilities);
  return unmet.length ? unmet.join("; ") : undefined;
}
