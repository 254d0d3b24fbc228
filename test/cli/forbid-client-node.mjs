// `node --import` this file: resolving @kubernetes/client-node then fails, and leaves a
// line in $KUBEDRILL_LOADED_MARK (a caught dynamic import would otherwise go unseen).
import { register } from "node:module";

const hooks = `
import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  if (specifier === "@kubernetes/client-node" || specifier.startsWith("@kubernetes/client-node/")) {
    appendFileSync(${JSON.stringify(process.env.KUBEDRILL_LOADED_MARK ?? "/dev/null")}, specifier + "\\n");
    throw new Error("cold start loaded " + specifier);
  }
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
