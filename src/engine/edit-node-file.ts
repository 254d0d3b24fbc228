import type { Step } from "../catalog/schema.js";
import { SetupError } from "../errors.js";

type Edit = Extract<Step, { editNodeFile: unknown }>["editNodeFile"];

/**
 * The file's content with each replacement made in turn (every occurrence of `find`), or
 * the first replacement whose `find` it lacks. Literal text, not a pattern: a kubeadm
 * flag is full of dots and slashes.
 */
export function editedContent(
  content: string,
  replace: Edit["replace"],
): { content: string } | { missing: Edit["replace"][number] } {
  let edited = content;
  for (const replacement of replace) {
    if (!edited.includes(replacement.find)) return { missing: replacement };
    edited = edited.split(replacement.find).join(replacement.with);
  }
  return { content: edited };
}

/**
 * The content with a setup edit taken back: each `with` still in it becomes its `find`
 * again, last replacement first. A replacement whose `with` is empty or part of its `find`
 * cannot be told from the file's own text, and is left alone.
 */
export function undoneContent(content: string, replace: Edit["replace"]): string {
  let undone = content;
  for (const { find, with: made } of [...replace].reverse()) {
    if (made === "" || find.includes(made)) continue;
    undone = undone.split(made).join(find);
  }
  return undone;
}

/** The line of content most like the first line of `find`: the longest common start, ignoring indentation. */
export function nearestLine(content: string, find: string): string | undefined {
  const wanted = (find.split("\n").find((l) => l.trim()) ?? "").trim();
  let best: { line: string; common: number } | undefined;
  for (const line of content.split("\n")) {
    const trimmed = line.trim();
    let common = 0;
    while (common < trimmed.length && trimmed[common] === wanted[common]) common++;
    if (common > (best?.common ?? 2)) best = { line: trimmed, common };
  }
  return best?.line;
}

/**
 * Start cannot make the edit: the file is missing, or it does not hold the text the
 * task replaces (another version's manifest, or an earlier edit nobody undid). Says
 * what it wanted and what it found.
 */
export function editImpossible(
  edit: Edit,
  content: string | undefined,
  missing: Edit["replace"][number] | undefined,
  task: string,
): SetupError {
  const where = `${edit.node}:${edit.path}`;
  const look = `kubedrill node exec ${edit.node} -- cat ${edit.path}`;
  if (content === undefined || !missing) {
    return new SetupError(
      `setup of task ${task} edits ${where}, which does not exist`,
      3,
      `${look} — kind, minikube and kubedrill's local cluster have it; kubedrill doctor shows what this cluster offers`,
    );
  }
  const near = nearestLine(content, missing.find);
  const found = near === undefined ? "no line like it" : `the nearest line is ${JSON.stringify(near)}`;
  const already = missing.with !== "" && content.includes(missing.with);
  return new SetupError(
    `setup of task ${task} edits ${where}: want the text ${JSON.stringify(missing.find)}, found ${found}${already ? ` (the file holds the task's change already: ${JSON.stringify(missing.with)})` : ""}`,
    3,
    already
      ? `an earlier attempt's change was not undone: put the line back as it was (${look}), then start again`
      : `${look} shows the file; the task expects kubeadm's content`,
  );
}
