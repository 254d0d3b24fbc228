import { isScalar, Scalar } from "yaml";
import type { TaskProblem } from "../errors.js";
import { at, type Located, type Path } from "./yaml-source.js";

/**
 * A problem at a character of a scalar's value (a CEL expression, a pattern), placed at
 * its line and column in the file. The value's characters are found again in the source:
 * folding turned line breaks and indentation into single spaces, quotes add escapes.
 */
export function atValueOffset(where: Located, path: Path, offset: number, message: string): TaskProblem {
  const problem = at(where, path, message);
  const node = where.doc?.getIn(path, true);
  if (!where.text || !isScalar(node) || !node.range || typeof node.value !== "string") return problem;
  const value = node.value;
  const text = where.text;
  const block = node.type === Scalar.BLOCK_FOLDED || node.type === Scalar.BLOCK_LITERAL;
  let i = bodyStart(node, text, node.range[0]);
  // A block's lines lose their common indentation; a flow scalar's continuation lines lose all of it.
  const indent = block ? i - text.lastIndexOf("\n", i - 1) - 1 : Number.POSITIVE_INFINITY;
  for (let v = 0; v < Math.min(offset, value.length) && i < node.range[1]; v++) {
    const c = value[v];
    if ((c === " " || c === "\n") && text[i] === "\n") {
      i = skipIndent(text, i + 1, indent);
    } else if (text[i] === c) {
      i++;
    } else {
      const next = text.indexOf(c ?? "", i + 1);
      i = next < 0 ? i : next + 1;
    }
  }
  const { line, col } = where.lines.linePos(i);
  return { ...problem, line, column: col };
}

function bodyStart(node: Scalar, text: string, start: number): number {
  if (node.type === Scalar.BLOCK_FOLDED || node.type === Scalar.BLOCK_LITERAL) {
    return skipIndent(text, text.indexOf("\n", start) + 1, Number.POSITIVE_INFINITY);
  }
  return node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE ? start + 1 : start;
}

function skipIndent(text: string, i: number, indent: number): number {
  let j = i;
  while ((text[j] === " " || text[j] === "\t") && j - i < indent) j++;
  return j;
}
