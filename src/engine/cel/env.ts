import { type CelFunc, celEnv } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { find } from "./find.js";
import { helm } from "./helm.js";
import { kube } from "./kube.js";
import { lists } from "./lists.js";
import { network } from "./network.js";
import { quantities } from "./quantity.js";
import { compileRegex } from "./regex.js";
import { costCounter } from "./runtime.js";

/** Every function an expression may call beyond CEL's standard ones; docs/authoring.md lists them. */
const libraries: CelFunc[] = [...strings, ...lists, ...find, ...quantities, ...network, ...kube, ...helm];

export const env = celEnv({
  funcs: [...libraries, costCounter],
  // `matches` in RE2 syntax with linear-time matching, as Kubernetes has it.
  re2: { compile: (pattern) => compileRegex(pattern) },
});

/** Arities by function name, for global calls and for method calls: what the checker accepts. */
export interface Signatures {
  global: Map<string, Set<number>>;
  method: Map<string, Set<number>>;
}

export const signatures: Signatures = { global: new Map(), method: new Map() };
for (const fn of env.funcs) {
  if (fn.name.startsWith("@")) continue;
  const table = fn.target ? signatures.method : signatures.global;
  const arities = table.get(fn.name) ?? new Set();
  arities.add(fn.arguments.length);
  table.set(fn.name, arities);
}
