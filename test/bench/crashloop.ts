import type { Connection } from "../../src/cluster/connect.js";

interface Waiting {
  containerStatuses?: { state?: { waiting?: { reason?: string } } }[];
}

/**
 * Milliseconds from creating a pod whose command is `false` until it shows
 * CrashLoopBackOff (issue 12's target ≤ 15 s), for each of three pods.
 */
export async function podToCrashLoop(target: Connection): Promise<number[]> {
  const namespace = "bench-crash";
  await target.api.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const name = `crash${i}`;
    const started = performance.now();
    await target.api.create({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace },
      spec: { containers: [{ name: "app", image: "busybox:1.36", command: ["false"] }] },
    });
    for (;;) {
      const pod = await target.api.get("v1", "Pod", name, namespace);
      const status = pod?.status as Waiting | undefined;
      if (status?.containerStatuses?.some((c) => c.state?.waiting?.reason === "CrashLoopBackOff")) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    times.push(performance.now() - started);
  }
  await removeBenchNamespace(target, namespace);
  return times;
}

/**
 * Deletes a namespace the bench made, once its bare pods are gone: tasks graded later
 * drain a worker, and kubectl drain refuses pods that no controller owns.
 */
export async function removeBenchNamespace(target: Connection, namespace: string): Promise<void> {
  await target.api.deleteCollection("v1", "Pod", { namespace, gracePeriodSeconds: 0 });
  while ((await target.api.list("v1", "Pod", namespace)).length > 0) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await target.api.delete("v1", "Namespace", namespace);
}
