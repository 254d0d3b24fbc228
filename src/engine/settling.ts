import type { KubeObject } from "../model/kube.js";

type Stamp = string | undefined | null;
type ContainerState = Record<string, { startedAt?: Stamp; finishedAt?: Stamp } | undefined>;
interface ContainerStatus {
  state?: ContainerState;
  lastState?: ContainerState;
}
interface Status {
  conditions?: { lastTransitionTime?: Stamp }[];
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
  ephemeralContainerStatuses?: ContainerStatus[];
}

/**
 * When the object last changed, as the API server and controllers recorded it: its
 * creation or deletion, every write by a field manager (spec edits and status updates
 * alike), status condition transitions, containers starting and ending. Milliseconds
 * since the epoch; undefined when the object carries no time at all.
 */
export function lastChange(object: KubeObject): number | undefined {
  const metadata = object.metadata as
    | { creationTimestamp?: Stamp; deletionTimestamp?: Stamp; managedFields?: { time?: Stamp }[] }
    | undefined;
  const status = (object.status ?? {}) as Status;
  const containers = [
    ...(status.containerStatuses ?? []),
    ...(status.initContainerStatuses ?? []),
    ...(status.ephemeralContainerStatuses ?? []),
  ];
  const stamps: Stamp[] = [
    metadata?.creationTimestamp,
    metadata?.deletionTimestamp,
    ...(metadata?.managedFields ?? []).map((f) => f.time),
    ...(status.conditions ?? []).map((c) => c.lastTransitionTime),
    ...containers.flatMap((c) =>
      [c.state, c.lastState].flatMap((state) =>
        Object.values(state ?? {}).flatMap((s) => [s?.startedAt, s?.finishedAt]),
      ),
    ),
  ];
  const times = stamps.flatMap((s) => (s ? [Date.parse(s)] : [])).filter((t) => !Number.isNaN(t));
  return times.length ? Math.max(...times) : undefined;
}

/** Kinds whose controller reports, in status.observedGeneration, the spec it last acted on. */
const observingKinds = new Set(["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"]);

/**
 * Whether a controller has yet to act on the object's latest spec: a Deployment just
 * patched, or a ReplicaSet just made, whose pods are not there yet.
 */
export function unobservedSpec(object: KubeObject): boolean {
  const generation = (object.metadata as { generation?: number } | undefined)?.generation;
  const observed = (object.status as { observedGeneration?: number } | undefined)?.observedGeneration;
  if (generation === undefined) return false;
  if (observed === undefined) return observingKinds.has(object.kind ?? "");
  return observed < generation;
}

/** The newest change among objects; undefined when none says when it changed. */
export function newestChange(objects: KubeObject[]): number | undefined {
  const times = objects.flatMap((o) => lastChange(o) ?? []);
  return times.length ? Math.max(...times) : undefined;
}
