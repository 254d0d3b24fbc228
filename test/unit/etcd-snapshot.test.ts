import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { Task } from "../../src/catalog/schema.js";
import { runChecks } from "../../src/engine/checks.js";
import { readEtcdSnapshot } from "../../src/engine/etcd-snapshot.js";
import type { ClusterReader, NodeAccess } from "../../src/engine/ports.js";

// Snapshots saved by etcdctl from a throw-away etcd: see test/fixtures/etcd-snapshots/README.md.
const fixture = (name: string) => readFile(new URL(`../fixtures/etcd-snapshots/${name}`, import.meta.url));
const small = await fixture("small.db");
const many = gunzipSync(await fixture("many.db.gz"));

describe("readEtcdSnapshot", () => {
  it("lists the keys live at the snapshot's revision, leaving deleted ones out", () => {
    expect(readEtcdSnapshot(small)).toEqual({
      revision: 6,
      keys: ["/registry/configmaps/demo/marker", "/registry/pods/demo/web"],
    });
  });

  it("walks branch pages and overflow pages of a larger snapshot", () => {
    const read = readEtcdSnapshot(many);
    if ("problem" in read) throw new Error(read.problem);
    expect(read.revision).toBe(303);
    expect(read.keys).toHaveLength(300);
    expect(read.keys).toContain("/registry/secrets/many/big");
    expect(read.keys).toContain("/registry/configmaps/many/cm-300");
    expect(read.keys).not.toContain("/registry/configmaps/many/cm-150");
  });

  it("says why an empty file, a text file or a bare database file is not a snapshot", () => {
    expect(readEtcdSnapshot(new Uint8Array())).toEqual({
      problem: "the file is empty (0 bytes), want an etcd snapshot",
    });
    expect(readEtcdSnapshot(Buffer.from('{"level":"info","msg":"saved"}\n'))).toEqual({
      problem: 'not an etcd snapshot: no bbolt database header (31 bytes starting "{"level":"info",")',
    });
    // etcd's member/snap/db: the database without the hash that the snapshot stream appends.
    expect(readEtcdSnapshot(small.subarray(0, small.length - 32))).toEqual({
      problem:
        "a bbolt database without the integrity hash that etcdctl snapshot save appends (a copy of etcd's db file?)",
    });
  });

  it("rejects a truncated snapshot and one whose content no longer matches its hash", () => {
    expect(readEtcdSnapshot(small.subarray(0, small.length - 100))).toEqual({
      problem:
        "not a whole etcd snapshot: 20412 bytes is not whole 4096-byte pages and a 32-byte hash (truncated?)",
    });
    const changed = Buffer.from(small);
    changed[3 * 4096 + 100] = (changed[3 * 4096 + 100] as number) ^ 0xff;
    expect(readEtcdSnapshot(changed)).toEqual({
      problem: "the snapshot's integrity hash does not match its content (changed or corrupt)",
    });
  });
});

describe("runChecks › nodeFile with format: etcd-snapshot", () => {
  const files: Record<string, Uint8Array> = { "/opt/snap.db": small, "/opt/empty.db": new Uint8Array() };
  const nodes = {
    driver: "test",
    readBytes: async (_node: string, path: string) => files[path],
  } as unknown as NodeAccess;
  const cluster = {} as ClusterReader;
  const check = (path: string, more: Record<string, string> = {}) =>
    ({ title: path, points: 1, nodeFile: { node: "cp", path }, format: "etcd-snapshot", ...more }) as const;
  const grade = async (checks: Task["checks"]) =>
    (
      await runChecks({ id: "t", namespace: "ns", checks } as unknown as Task, {
        cluster,
        nodes,
        vars: {},
        uids: {},
      })
    ).map((r) => r.mismatches);

  it("passes a snapshot whose keys match the pattern, and says what a mismatch found", async () => {
    expect(
      await grade([
        check("/opt/snap.db"),
        check("/opt/snap.db", { pattern: "^/registry/configmaps/demo/marker$" }),
        check("/opt/snap.db", { pattern: "^/registry/configmaps/demo/gone$" }),
        check("/opt/snap.db", { notPattern: "^/registry/pods/" }),
        check("/opt/empty.db"),
        check("/opt/none.db"),
      ]),
    ).toEqual([
      [],
      [],
      [
        {
          path: "keys",
          message:
            "no key matches /^/registry/configmaps/demo/gone$/ (the snapshot holds 2 keys at revision 6)",
        },
      ],
      [
        {
          path: "keys",
          found: "/registry/pods/demo/web",
          message: "matches /^/registry/pods//, want it not to",
        },
      ],
      [{ path: "/opt/empty.db", message: "the file is empty (0 bytes), want an etcd snapshot" }],
      [{ path: "", message: "/opt/none.db not found on node cp" }],
    ]);
  });
});
