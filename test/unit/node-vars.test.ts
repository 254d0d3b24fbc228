import { copyFile, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Task } from "../../src/catalog/schema.js";
import { LocalNodeAccess } from "../../src/cluster/node-access/local.js";
import { certificateField } from "../../src/engine/certificate.js";
import { runChecks } from "../../src/engine/checks.js";
import { parseInstant } from "../../src/engine/instant.js";
import type { ClusterReader, KubeObject } from "../../src/engine/ports.js";
import { resolveVars, unknownVariable } from "../../src/engine/vars.js";

const fixture = new URL("../fixtures/certificates/apiserver.crt", import.meta.url);
const node = "kubedrill-control-plane";

/** A local cluster's node folder with the fixture certificate and a CNI folder, read through the real driver. */
async function nodeRoot() {
  const nodesDir = await mkdtemp(join(tmpdir(), "kubedrill-vars-"));
  await mkdir(join(nodesDir, node, "etc/kubernetes/pki"), { recursive: true });
  await mkdir(join(nodesDir, node, "etc/cni/net.d"), { recursive: true });
  await copyFile(fixture, join(nodesDir, node, "etc/kubernetes/pki/apiserver.crt"));
  await writeFile(join(nodesDir, node, "etc/kubernetes/pki/ca.key"), "not a certificate");
  for (const f of ["99-loopback.conf", "10-kindnet.conflist", "README"])
    await writeFile(join(nodesDir, node, "etc/cni/net.d", f), "{}");
  await mkdir(join(nodesDir, node, "var/lib/kubelet"), { recursive: true });
  await writeFile(join(nodesDir, node, "var/lib/kubelet/config.yaml"), "kind: KubeletConfiguration\n");
  return new LocalNodeAccess(nodesDir);
}

const controlPlaneNode: KubeObject = {
  apiVersion: "v1",
  kind: "Node",
  metadata: { name: node, labels: { "node-role.kubernetes.io/control-plane": "" } },
};
const csiDriver = (name: string): KubeObject => ({
  apiVersion: "storage.k8s.io/v1",
  kind: "CSIDriver",
  metadata: { name },
});

function clusterOf(objects: KubeObject[]): ClusterReader {
  return {
    resource: async (_v, kind) => ({ namespaced: !["Node", "CSIDriver"].includes(kind) }),
    list: async (_v, kind) => objects.filter((o) => o.kind === kind),
    get: async (_v, kind, name) => objects.find((o) => o.kind === kind && o.metadata?.name === name),
  };
}

const task = (vars: Task["vars"], checks: Task["checks"] = []): Task =>
  ({ id: "t", namespace: "ns", vars, checks }) as unknown as Task;

describe("certificate variables", () => {
  it("read notAfter and notBefore as RFC 3339 in UTC, subject, issuer and serial as openssl shows them", async () => {
    const pem = await (await import("node:fs/promises")).readFile(fixture, "utf8");
    // openssl x509 -noout -enddate: notAfter=Dec  6 00:23:43 2036 GMT
    expect(certificateField(pem, "notAfter")).toBe("2036-12-06T00:23:43Z");
    expect(certificateField(pem, "subject")).toBe("CN=kube-apiserver");
    expect(certificateField(pem, "issuer")).toBe("CN=kubernetes");
    expect(certificateField(pem, "serialNumber")).toBe("1699E0FAE0EABEAB");
    expect(certificateField(pem, "notBefore")).toMatch(/^2026-12-0\dT\d{2}:\d{2}:\d{2}Z$/);
  });

  it("say why a file holds no certificate", () => {
    expect(certificateField("not a certificate", "notAfter")).toEqual({
      problem: "no PEM certificate in it",
    });
    expect(
      certificateField("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", "notAfter"),
    ).toMatchObject({ problem: expect.stringMatching(/^not a certificate/) });
  });

  it("fill a task variable from a node's PEM file, or stay unset with the reason", async () => {
    const nodes = await nodeRoot();
    const vars = await resolveVars(
      task({
        expiry: {
          nodeFile: { node: "{{controlPlane}}", path: "/etc/kubernetes/pki/apiserver.crt" },
          certificate: "notAfter",
        },
        keyExpiry: {
          nodeFile: { node: "{{controlPlane}}", path: "/etc/kubernetes/pki/ca.key" },
          certificate: "notAfter",
        },
      }),
      clusterOf([controlPlaneNode]),
      nodes,
    );
    expect(vars.expiry).toBe("2036-12-06T00:23:43Z");
    expect(unknownVariable("{{keyExpiry}}", vars)).toBe(
      `{{keyExpiry}} is not known yet (${node}:/etc/kubernetes/pki/ca.key has no PEM certificate in it)`,
    );
  });
});

describe("node folder, default and each variables", () => {
  it("take the first file name, in sorted order, that the pattern matches", async () => {
    const vars = await resolveVars(
      task({
        cni: { nodeFolder: { node, path: "/etc/cni/net.d" }, pattern: "^(.+\\.(?:conflist|conf|json))$" },
        gone: { nodeFolder: { node, path: "/etc/cni/none" }, pattern: "(.+)" },
      }),
      clusterOf([controlPlaneNode]),
      await nodeRoot(),
    );
    expect(vars.cni).toBe("10-kindnet.conflist");
    expect(unknownVariable("{{gone}}", vars)).toBe(
      `{{gone}} is not known yet (folder /etc/cni/none not found on node ${node})`,
    );
  });

  it("fall back to a default when the file lacks the setting, never when the file is missing", async () => {
    const endpoint = (path: string) => ({
      nodeFile: { node, path },
      pattern: "^containerRuntimeEndpoint:\\s*(\\S+)",
      default: "unix:///run/containerd/containerd.sock",
    });
    const vars = await resolveVars(
      task({
        cri: endpoint("/var/lib/kubelet/config.yaml"),
        none: endpoint("/var/lib/kubelet/missing.yaml"),
      }),
      clusterOf([controlPlaneNode]),
      await nodeRoot(),
    );
    expect(vars.cri).toBe("unix:///run/containerd/containerd.sock");
    expect(vars.none).toBeUndefined();
  });

  it("list every selected object's field, sorted, one a line, and nothing when none is selected", async () => {
    const each = { csi: { resource: { kind: "CSIDriver" }, field: "metadata.name", each: true } };
    const two = await resolveVars(
      task(each),
      clusterOf([controlPlaneNode, csiDriver("z.csi.example.com"), csiDriver("a.csi.example.com")]),
      undefined,
    );
    expect(two.csi).toBe("a.csi.example.com\nz.csi.example.com");
    const none = await resolveVars(task(each), clusterOf([controlPlaneNode]), undefined);
    expect(none.csi).toBe("");
  });
});

describe("answer files with format: time", () => {
  it("read RFC 3339, openssl's, date's and kubeadm's forms, and refuse a time without a zone", () => {
    const at = Date.UTC(2027, 11, 5, 23, 30, 24);
    expect(parseInstant("2027-12-05T23:30:24Z")).toEqual({ ms: at, precision: "second" });
    expect(parseInstant("2027-12-06T01:30:24+02:00")).toEqual({ ms: at, precision: "second" });
    expect(parseInstant("notAfter=Dec  5 23:30:24 2027 GMT\n")).toEqual({ ms: at, precision: "second" });
    expect(parseInstant("Sun Dec  5 23:30:24 UTC 2027")).toEqual({ ms: at, precision: "second" });
    expect(parseInstant("Dec 05, 2027 23:30 UTC")).toEqual({ ms: at - 24_000, precision: "minute" });
    expect(parseInstant("2027-12-05 23:30:24")).toBeUndefined();
    expect(parseInstant("Feb 30 10:00:00 2027 GMT")).toBeUndefined();
    expect(parseInstant("2027-12-05")).toBeUndefined();
  });

  it("pass an answer naming the wanted instant at its own precision, and say found and wanted otherwise", async () => {
    const answers = await mkdtemp(join(tmpdir(), "kubedrill-answers-"));
    const check = {
      title: "expiry.txt holds the certificate's expiry",
      points: 1,
      file: "expiry.txt",
      format: "time",
      equals: "{{expiry}}",
    } as Task["checks"][number];
    const grade = async (answer: string) => {
      await writeFile(join(answers, "expiry.txt"), answer);
      const [result] = await runChecks(task(undefined, [check]), {
        cluster: clusterOf([]),
        vars: { answers, expiry: "2036-12-06T00:23:43Z" },
        uids: {},
      });
      return result;
    };
    expect((await grade("notAfter=Dec  6 00:23:43 2036 GMT\n"))?.passed).toBe(true);
    expect((await grade("Dec 06, 2036 00:23 UTC"))?.passed).toBe(true);
    expect((await grade("2036-12-06T00:23:43Z"))?.passed).toBe(true);
    expect((await grade("Dec  6 00:23:43 2035 GMT"))?.mismatches).toEqual([
      { path: "content", found: "Dec  6 00:23:43 2035 GMT", want: "2036-12-06T00:23:43Z" },
    ]);
    expect((await grade("Dec 06, 2036 00:24 UTC"))?.passed).toBe(false);
    expect((await grade("2036-12-06"))?.mismatches[0]?.message).toMatch(/^is not a time with its zone/);
  });
});
