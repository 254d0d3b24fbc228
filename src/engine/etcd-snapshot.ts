import { createHash } from "node:crypto";

/**
 * An etcd snapshot read without etcd: the bbolt database that `etcdctl snapshot save`
 * writes, followed by the SHA-256 of that database, which etcd's snapshot stream appends
 * and `etcdutl snapshot restore` verifies. A check can then tell a snapshot from any file,
 * and say which keys it holds (the Kubernetes objects at the snapshot's revision).
 */
export interface EtcdSnapshot {
  /** The main revision of the newest change in the snapshot. */
  revision: number;
  /** The keys that exist at that revision (deleted ones left out), sorted. */
  keys: string[];
}

const magic = 0xed0cdaed;
const pageHeaderSize = 16;
const elementSize = 16;
const branchPage = 0x01;
const leafPage = 0x02;
const bucketLeafFlag = 0x01;
const hashSize = 32;
/** etcd's revision keys: 8 bytes main revision, `_`, 8 bytes sub revision, and `t` for a deletion. */
const tombstoneKeySize = 18;

class Damaged extends Error {}

/** The snapshot's keys, or why the bytes are not an etcd snapshot (said for a learner). */
export function readEtcdSnapshot(data: Uint8Array): EtcdSnapshot | { problem: string } {
  if (data.length === 0) return { problem: "the file is empty (0 bytes), want an etcd snapshot" };
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.length);
  if (bytes.length < pageHeaderSize + 64 || bytes.readUInt32LE(pageHeaderSize) !== magic) {
    const start = bytes
      .subarray(0, 16)
      .toString("latin1")
      .replace(/[^\x20-\x7e]/g, ".");
    return {
      problem: `not an etcd snapshot: no bbolt database header (${bytes.length} bytes starting "${start}")`,
    };
  }
  const pageSize = bytes.readUInt32LE(pageHeaderSize + 8);
  if (pageSize < 512 || pageSize > 65536 || bytes.length < 2 * pageSize) {
    return {
      problem: `not an etcd snapshot: a bbolt header with page size ${pageSize} in ${bytes.length} bytes`,
    };
  }
  const integrity = checkHash(bytes, pageSize);
  if (integrity) return { problem: integrity };
  const db = bytes.subarray(0, bytes.length - hashSize);
  try {
    const meta = newestMeta(db, pageSize);
    const buckets = new Map<string, Buffer>();
    walk(db, pageSize, meta.root, (key, value, flags) => {
      if (flags & bucketLeafFlag) buckets.set(key.toString("latin1"), value);
    });
    const keyBucket = buckets.get("key");
    if (!keyBucket) return { problem: "a bbolt database without etcd's key bucket: not an etcd snapshot" };
    return liveKeys(db, pageSize, keyBucket);
  } catch (err) {
    if (err instanceof Damaged) return { problem: `a damaged etcd snapshot: ${err.message}` };
    throw err;
  }
}

/** What is wrong with the appended SHA-256, if anything; a bare database file has none. */
function checkHash(bytes: Buffer, pageSize: number): string | undefined {
  const rest = bytes.length % pageSize;
  if (rest === 0) {
    return "a bbolt database without the integrity hash that etcdctl snapshot save appends (a copy of etcd's db file?)";
  }
  if (rest !== hashSize) {
    return `not a whole etcd snapshot: ${bytes.length} bytes is not whole ${pageSize}-byte pages and a 32-byte hash (truncated?)`;
  }
  const db = bytes.subarray(0, bytes.length - hashSize);
  const sum = createHash("sha256").update(db).digest();
  if (!sum.equals(bytes.subarray(bytes.length - hashSize))) {
    return "the snapshot's integrity hash does not match its content (changed or corrupt)";
  }
  return undefined;
}

interface Meta {
  root: number;
  txid: bigint;
}

/** The meta page (0 or 1) of the newest transaction whose checksum holds. */
function newestMeta(db: Buffer, pageSize: number): Meta {
  const metas = [0, 1].flatMap((page) => {
    const at = page * pageSize + pageHeaderSize;
    const checksum = db.readBigUInt64LE(at + 56);
    if (db.readUInt32LE(at) !== magic || fnv1a64(db.subarray(at, at + 56)) !== checksum) return [];
    return [{ root: Number(db.readBigUInt64LE(at + 16)), txid: db.readBigUInt64LE(at + 48) }];
  });
  const newest = metas.sort((a, b) => (a.txid > b.txid ? -1 : 1))[0];
  if (!newest) throw new Damaged("neither meta page has a valid checksum");
  return newest;
}

function fnv1a64(data: Buffer): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of data) hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return hash;
}

type Visit = (key: Buffer, value: Buffer, flags: number) => void;

/** Every key/value of the bucket whose header is `bucket` (a root page id, or inline: page 0 and the page after). */
function liveKeys(db: Buffer, pageSize: number, bucket: Buffer): EtcdSnapshot {
  const live = new Map<string, boolean>();
  let revision = 0;
  const visit: Visit = (rev, value) => {
    revision = Math.max(revision, Number(rev.readBigUInt64BE(0)));
    const key = protobufBytesField(value, 1)?.toString("utf8");
    if (key === undefined) throw new Damaged(`revision ${rev.toString("hex")} holds no key`);
    live.set(key, !(rev.length === tombstoneKeySize && rev[17] === 0x74));
  };
  if (bucket.length < 16) throw new Damaged("a bucket header shorter than 16 bytes");
  const root = Number(bucket.readBigUInt64LE(0));
  if (root === 0) visitPage(db, pageSize, bucket.subarray(16), 0, visit);
  else walk(db, pageSize, root, visit);
  const keys = [...live].flatMap(([key, alive]) => (alive ? [key] : [])).sort();
  return { revision, keys };
}

/** Depth-first through branch pages, in key order. */
function walk(db: Buffer, pageSize: number, pgid: number, visit: Visit, depth = 0): void {
  if (depth > 64) throw new Damaged("a page tree deeper than 64 levels");
  const at = pgid * pageSize;
  if (pgid < 2 || at + pageSize > db.length) throw new Damaged(`page ${pgid} is outside the file`);
  const overflow = db.readUInt32LE(at + 12);
  const page = db.subarray(at, Math.min(db.length, at + (overflow + 1) * pageSize));
  visitPage(db, pageSize, page, depth, visit);
}

function visitPage(db: Buffer, pageSize: number, page: Buffer, depth: number, visit: Visit): void {
  const flags = page.readUInt16LE(8);
  const count = page.readUInt16LE(10);
  const element = (i: number) => {
    const at = pageHeaderSize + i * elementSize;
    if (at + elementSize > page.length) throw new Damaged("a page with more elements than it holds");
    return at;
  };
  const slice = (from: number, size: number) => {
    if (from + size > page.length) throw new Damaged("a key or value beyond the end of its page");
    return page.subarray(from, from + size);
  };
  for (let i = 0; i < count; i++) {
    const at = element(i);
    if (flags & branchPage) {
      walk(db, pageSize, Number(page.readBigUInt64LE(at + 8)), visit, depth + 1);
    } else if (flags & leafPage) {
      const pos = page.readUInt32LE(at + 4);
      const ksize = page.readUInt32LE(at + 8);
      const vsize = page.readUInt32LE(at + 12);
      visit(slice(at + pos, ksize), slice(at + pos + ksize, vsize), page.readUInt32LE(at));
    } else {
      throw new Damaged(`a page of flags 0x${flags.toString(16)} where a branch or leaf page belongs`);
    }
  }
}

/** The bytes of a length-delimited field of a protobuf message (mvccpb.KeyValue's key is field 1). */
function protobufBytesField(message: Buffer, field: number): Buffer | undefined {
  let at = 0;
  const varint = () => {
    let value = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      if (at >= message.length) throw new Damaged("a truncated protobuf value");
      const byte = message[at++] as number;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    throw new Damaged("a protobuf varint longer than 10 bytes");
  };
  while (at < message.length) {
    const tag = varint();
    const wire = tag % 8;
    if (wire === 2) {
      const size = varint();
      if (at + size > message.length) throw new Damaged("a truncated protobuf value");
      if (Math.floor(tag / 8) === field) return message.subarray(at, at + size);
      at += size;
    } else if (wire === 0) varint();
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else throw new Damaged(`a protobuf wire type ${wire} in a key's value`);
  }
  return undefined;
}
