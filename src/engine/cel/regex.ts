import { RE2JS } from "re2js";

/**
 * Regular expressions in RE2 syntax, matched in linear time (re2js), so that a pattern
 * like `^(a+)+$` cannot stall a check. RE2 is also what Kubernetes' CEL uses.
 */
const cache = new Map<string, RE2JS>();

/** Compiles a pattern; throws an Error whose message says why RE2 rejects it. */
export function compileRegex(pattern: string, multiline = false): RE2JS {
  const key = `${multiline ? "m" : ""}/${pattern}`;
  let re = cache.get(key);
  if (!re) {
    re = RE2JS.compile(pattern, multiline ? RE2JS.MULTILINE : 0);
    cache.set(key, re);
  }
  return re;
}

/** Why RE2 rejects a pattern (a backreference, a lookaround, …); undefined when it compiles. */
export function regexProblem(pattern: string): string | undefined {
  try {
    compileRegex(pattern);
    return undefined;
  } catch (err) {
    return `invalid regular expression (RE2 syntax): ${(err as Error).message}`;
  }
}

/** True when the pattern matches somewhere in the text; `^` and `$` also match at line breaks. */
export function patternFound(pattern: string, text: string): boolean {
  return compileRegex(pattern, true).test(text);
}

/** The first capture group of the first match, `^` and `$` matching at line breaks; undefined without a match. */
export function firstCapture(pattern: string, text: string): string | undefined {
  const matcher = compileRegex(pattern, true).matcher(text);
  return matcher.find() ? (matcher.group(1) ?? undefined) : undefined;
}

/** Where the first match starts, `^` and `$` matching at line breaks; undefined without a match. */
export function matchStart(pattern: string, text: string): number | undefined {
  const matcher = compileRegex(pattern, true).matcher(text);
  return matcher.find() ? matcher.start() : undefined;
}
