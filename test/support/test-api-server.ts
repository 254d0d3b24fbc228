import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

/**
 * A small HTTPS server on 127.0.0.1 that answers like a Kubernetes API server for the
 * few reads `kubedrill check` makes, and misbehaves on purpose on one path: the pods of
 * the task namespace, listed or read by name (or the whole example.com group). It tests our error handling only;
 * grading itself is tested against the real local cluster.
 */
export type Misbehaviour = "ok" | "401" | "403" | "group404" | "500" | "slow" | "truncated" | "closed";

export interface TestApiServer {
  url: string;
  /** A kubeconfig whose current context "test-api" points at this server. */
  kubeconfig: string;
  /** How to misbehave from now on; "group404" may be combined with one other mode. */
  set(...modes: Misbehaviour[]): void;
  close(): Promise<void>;
}

const status = (code: number, reason: string, message: string) =>
  JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", message, reason, code });

const resources = {
  "/api/v1": [
    { name: "pods", kind: "Pod", namespaced: true },
    { name: "namespaces", kind: "Namespace", namespaced: false },
    { name: "nodes", kind: "Node", namespaced: false },
    { name: "services", kind: "Service", namespaced: true },
  ],
  "/apis/example.com/v1": [{ name: "widgets", kind: "Widget", namespaced: true }],
  "/apis/apiregistration.k8s.io/v1": [{ name: "apiservices", kind: "APIService", namespaced: false }],
} as Record<string, unknown[]>;

/** A self-signed certificate for 127.0.0.1, made with openssl for this run only. */
async function certificate(dir: string): Promise<{ key: string; cert: string }> {
  await promisify(execFile)("openssl", [
    "req",
    ...["-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"],
    ...["-subj", "/CN=kubedrill-test-api", "-addext", "subjectAltName=IP:127.0.0.1"],
    ...["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")],
  ]);
  return {
    key: await readFile(join(dir, "key.pem"), "utf8"),
    cert: await readFile(join(dir, "cert.pem"), "utf8"),
  };
}

export async function startTestApiServer(): Promise<TestApiServer> {
  const dir = await mkdtemp(join(tmpdir(), "kubedrill-test-api-"));
  const { key, cert } = await certificate(dir);
  let modes: Misbehaviour[] = [];
  const server: Server = createServer({ key, cert }, (req, res) => {
    const path = new URL(req.url ?? "/", "https://x").pathname;
    const json = (code: number, body: string) => {
      res.writeHead(code, { "Content-Type": "application/json" });
      res.end(body);
    };
    if (path === "/version")
      return json(200, JSON.stringify({ major: "1", minor: "33", gitVersion: "v1.33.0" }));
    if (path === "/apis/example.com/v1" && modes.includes("group404")) return json(404, "404 page not found");
    const mode = modes.find((m) => m !== "ok" && m !== "group404");
    if (mode && /\/namespaces\/[^/]+\/(pods|widgets)(\/[^/]+)?$/.test(path)) {
      switch (mode) {
        case "401":
          return json(401, status(401, "Unauthorized", "Unauthorized"));
        case "403": {
          const ns = path.split("/")[4];
          const message = `pods is forbidden: User "learner" cannot list resource "pods" in API group "" in the namespace "${ns}"`;
          return json(403, status(403, "Forbidden", message));
        }
        case "500":
          return json(500, status(500, "InternalError", "etcdserver: request timed out"));
        case "slow":
          return; // never answers; close() ends the connection
        case "truncated":
          res.writeHead(200, { "Content-Type": "application/json" });
          return res.end('{"kind":"PodList","apiVersion":"v1","items":[{"metadata":{"na');
        case "closed":
          return req.socket.destroy();
      }
    }
    const group = resources[path];
    if (group) return json(200, JSON.stringify({ kind: "APIResourceList", resources: group }));
    if (/\/(pods|widgets|nodes|daemonsets)$/.test(path)) return json(200, JSON.stringify({ items: [] }));
    return json(404, status(404, "NotFound", `${path} not found`));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeconfig = join(dir, "kubeconfig");
  const ca = Buffer.from(cert).toString("base64");
  await writeFile(
    kubeconfig,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "test-api", cluster: { server: url, "certificate-authority-data": ca } }],
      users: [{ name: "learner", user: { token: "not-a-real-token" } }],
      contexts: [{ name: "test-api", context: { cluster: "test-api", user: "learner" } }],
      "current-context": "test-api",
    }),
  );
  return {
    url,
    kubeconfig,
    set: (...m) => {
      modes = m;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A task with one resource check, e.g. `{ kind: Pod, name: web }`, in a folder named after its id. */
export function taskYaml(id: string, resource: string): string {
  return [
    "# yaml-language-server: $schema=../task.schema.json",
    `id: ${id}`,
    "title: Run the pod web",
    "domain: workloads",
    "difficulty: easy",
    "minutes: 2",
    `namespace: ${id}`,
    "description: Run a pod named web.",
    "setup: []",
    "checks:",
    "  - title: web exists",
    `    resource: ${resource}`,
    "solution: kubectl run web --image=nginx",
    "",
  ].join("\n");
}
