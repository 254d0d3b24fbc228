import { parse } from "@bufbuild/cel";
import { apiVersionOf, type ClusterReader } from "../ports.js";
import { descendants, stringConstant } from "./ast.js";
import { varsField } from "./check.js";
import { type Reads, readKey } from "./runtime.js";

/** A cluster.get or cluster.list call of an expression, with its arguments resolved. */
export interface Read {
  fn: "get" | "list";
  args: string[];
}

/**
 * The cluster reads an expression makes, found in its syntax tree: CEL runs synchronously,
 * so they are fetched before it runs. Calls whose arguments are not literals or known vars
 * are left out; they fail when evaluated, and validate reports them.
 */
export function prepare(expr: string | undefined, vars: Record<string, string | number | undefined>): Read[] {
  if (!expr) return [];
  let root: ReturnType<typeof parse>["expr"];
  try {
    root = parse(expr).expr;
  } catch {
    return [];
  }
  const reads: Read[] = [];
  for (const e of descendants(root)) {
    const kind = e.exprKind;
    if (kind.case !== "callExpr" || (kind.value.function !== "get" && kind.value.function !== "list"))
      continue;
    const target = kind.value.target?.exprKind;
    if (target?.case !== "identExpr" || target.value.name !== "cluster") continue;
    const args = kind.value.args.map((a) => stringConstant(a) ?? vars[varsField(a) ?? ""]?.toString());
    if (args.every((a) => a !== undefined)) reads.push({ fn: kind.value.function, args: args as string[] });
  }
  return reads;
}

/**
 * Fetches what prepare found through the check's reader (its snapshot). A namespace left out
 * is the check's for namespaced kinds; `cluster.list(kind, "")` lists every namespace.
 */
export async function fetchReads(reads: Read[], cluster: ClusterReader, namespace: string): Promise<Reads> {
  const fetched = new Map<string, unknown>();
  await Promise.all(
    reads.map(async ({ fn, args }) => {
      const [kind = "", ...rest] = args;
      const apiVersion = apiVersionOf(kind);
      const { namespaced } = await cluster.resource(apiVersion, kind);
      const given = fn === "get" ? (rest.length === 2 ? rest[0] : undefined) : rest[0];
      const ns = namespaced ? (given ?? namespace) || undefined : undefined;
      const value =
        fn === "get"
          ? ((await cluster.get(apiVersion, kind, rest[rest.length - 1] ?? "", ns)) ?? null)
          : await cluster.list(apiVersion, kind, ns);
      fetched.set(readKey(fn, args), value);
    }),
  );
  return fetched;
}
