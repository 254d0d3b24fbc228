import type { DeleteCollectionOptions, ServedKind } from "../model/cluster.js";
import type { KubeApi } from "./api.js";

export type { ServedKind };

/** Aggregated discovery (Kubernetes ≥ 1.30): every group's resources in one answer. */
const aggregated = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";

interface DiscoveryList {
  kind?: string;
  items?: {
    metadata: { name?: string };
    versions: {
      version: string;
      /** Absent while the group is Stale: an aggregated API (metrics-server) not reached since the API server started. */
      resources?: { resource: string; scope: string; verbs?: string[]; responseKind?: { kind: string } }[];
    }[];
  }[];
}

interface ResourceList {
  resources: { name: string; kind: string; namespaced: boolean; verbs?: string[] }[];
}

/**
 * Every kind the API server serves (core and every group, CRDs included), at
 * each group's preferred version: two requests where the server aggregates
 * discovery, else one per group version, run together.
 */
export async function servedKinds(api: KubeApi): Promise<ServedKind[]> {
  const [core, groups] = await Promise.all([
    api.request<DiscoveryList>("GET", "/api", undefined, undefined, aggregated),
    api.request<DiscoveryList>("GET", "/apis", undefined, undefined, aggregated),
  ]);
  if (core.kind !== "APIGroupDiscoveryList" || groups.kind !== "APIGroupDiscoveryList") return perGroup(api);
  return discoveredKinds([...(core.items ?? []), ...(groups.items ?? [])]);
}

/** The kinds of each group's preferred version; a group whose resources are not known now serves none. */
export function discoveredKinds(groups: NonNullable<DiscoveryList["items"]>): ServedKind[] {
  return groups.flatMap((group) => {
    const preferred = group.versions[0];
    if (!preferred) return [];
    const apiVersion = group.metadata.name
      ? `${group.metadata.name}/${preferred.version}`
      : preferred.version;
    return (preferred.resources ?? []).map((r) => ({
      apiVersion,
      kind: r.responseKind?.kind ?? "",
      namespaced: r.scope === "Namespaced",
      verbs: r.verbs ?? [],
    }));
  });
}

async function perGroup(api: KubeApi): Promise<ServedKind[]> {
  const core = await api.request<{ versions: string[] }>("GET", "/api");
  const groups = await api.request<{ groups: { preferredVersion: { groupVersion: string } }[] }>(
    "GET",
    "/apis",
  );
  const versions = [...core.versions, ...groups.groups.map((g) => g.preferredVersion.groupVersion)];
  const lists = await Promise.all(
    versions.map(async (apiVersion) => {
      const path = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      const list = await api.request<ResourceList>("GET", path);
      return list.resources
        .filter((r) => !r.name.includes("/")) // subresources such as pods/log
        .map((r) => ({ apiVersion, kind: r.kind, namespaced: r.namespaced, verbs: r.verbs ?? [] }));
    }),
  );
  return lists.flat();
}

/** DELETE on a collection: every object of a kind in a namespace (or cluster-wide) that the selectors pick. */
export async function deleteCollection(
  api: KubeApi,
  apiVersion: string,
  kind: string,
  options: DeleteCollectionOptions,
): Promise<void> {
  const query = new URLSearchParams();
  if (options.fieldSelector) query.set("fieldSelector", options.fieldSelector);
  const url = await api.url(apiVersion, kind, options.namespace);
  await api.request("DELETE", `${url}?${query}`, {
    kind: "DeleteOptions",
    apiVersion: "v1",
    propagationPolicy: options.propagationPolicy ?? "Background",
    gracePeriodSeconds: options.gracePeriodSeconds,
  });
}
