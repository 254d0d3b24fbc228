import type { KubeApi } from "./api.js";

/** One kind the API server serves, at its group's preferred version. */
export interface ServedKind {
  apiVersion: string;
  kind: string;
  namespaced: boolean;
  /** The verbs it allows, e.g. list, deletecollection. */
  verbs: string[];
}

interface ResourceList {
  resources: { name: string; kind: string; namespaced: boolean; verbs?: string[] }[];
}

/**
 * Every kind the API server serves (core and every group, CRDs included), from
 * plain discovery: one request per group version, run together.
 */
export async function servedKinds(api: KubeApi): Promise<ServedKind[]> {
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
  options: { namespace?: string; fieldSelector?: string; gracePeriodSeconds?: number },
): Promise<void> {
  const query = new URLSearchParams();
  if (options.fieldSelector) query.set("fieldSelector", options.fieldSelector);
  const url = await api.url(apiVersion, kind, options.namespace);
  await api.request("DELETE", `${url}?${query}`, {
    kind: "DeleteOptions",
    apiVersion: "v1",
    propagationPolicy: "Background",
    gracePeriodSeconds: options.gracePeriodSeconds,
  });
}
