import { type CelFunc, CelScalar, celMethod, listType } from "@bufbuild/cel";
import { compileRegex } from "./regex.js";

/** Kubernetes' regex library (k8s.io/apiserver/pkg/cel/library/regex.go), in RE2 syntax. */
const { STRING, INT } = CelScalar;

function findAll(text: string, pattern: string, limit: number): string[] {
  const matcher = compileRegex(pattern).matcher(text);
  const found: string[] = [];
  while ((limit < 0 || found.length < limit) && matcher.find()) found.push(matcher.group() ?? "");
  return found;
}

export const find: CelFunc[] = [
  celMethod("find", STRING, [STRING], STRING, function (pattern) {
    return findAll(this, pattern, 1)[0] ?? "";
  }),
  celMethod("findAll", STRING, [STRING], listType(STRING), function (pattern) {
    return findAll(this, pattern, -1);
  }),
  celMethod("findAll", STRING, [STRING, INT], listType(STRING), function (pattern, limit) {
    return findAll(this, pattern, Number(limit));
  }),
];
