import { byWeight } from "../catalog/curriculum.js";
import type { LoadedTask } from "../catalog/load.js";
import type { HistoryRecord } from "./history.js";
import { nextTasks, passedTasks } from "./progress.js";
import type { Choice, Prompts } from "./prompts.js";
import { taskLabel } from "./render.js";

/** Tasks whose id, title or domain contain every word of the term, in catalog order. */
export function searchTasks(tasks: LoadedTask[], term: string | undefined): LoadedTask[] {
  const words = (term ?? "").toLowerCase().split(/\s+/).filter(Boolean);
  return tasks.filter(({ task }) => {
    const text = `${task.id} ${task.title} ${task.domain}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

type How = "suggest" | "domain" | "difficulty" | "search" | "quit";

/** Asks how to pick, then which task; undefined when the learner chose Quit. */
export async function pickTask(
  tasks: LoadedTask[],
  records: HistoryRecord[],
  prompts: Prompts,
  cannotRun: (loaded: LoadedTask) => string | undefined = () => undefined,
): Promise<LoadedTask | undefined> {
  const passed = passedTasks(records);
  const suggestion = nextTasks(
    tasks.filter((t) => !cannotRun(t)),
    records,
    1,
  )[0]?.loaded;
  const choices: Choice<How>[] = [
    { name: "By domain", value: "domain" },
    { name: "By difficulty", value: "difficulty" },
    { name: "Search", value: "search" },
    { name: "Quit", value: "quit" },
  ];
  if (suggestion) {
    choices.unshift({
      name: `Suggested: ${suggestion.task.title} [${suggestion.task.id}]`,
      short: suggestion.task.id,
      value: "suggest",
      description:
        "from your weakest competency, tasks you have not tried first (as kubedrill progress says)",
    });
  }
  const toChoice = (t: LoadedTask): Choice<LoadedTask> => ({
    name: taskLabel(t, passed),
    short: t.task.id,
    value: t,
    disabled: cannotRun(t) ?? false,
  });
  const fromGroup = async (message: string, groups: readonly string[], of: (t: LoadedTask) => string) => {
    const chosen = await prompts.select({
      message,
      choices: groupChoices(groups, of, tasks, passed, cannotRun),
    });
    const list = tasks.filter((t) => of(t) === chosen);
    return prompts.select({ message: "Which task?", choices: list.map(toChoice), pageSize: 12 });
  };
  switch (await prompts.select({ message: "Pick a task", choices })) {
    case "suggest":
      return suggestion;
    case "quit":
      return undefined;
    case "search":
      return prompts.search({
        message: "Search tasks by id, title or domain",
        source: (term) => searchTasks(tasks, term).map(toChoice),
        pageSize: 12,
      });
    case "domain":
      return fromGroup("Which domain?", byWeight, (t) => t.task.domain);
    case "difficulty":
      return fromGroup("Which difficulty?", ["easy", "medium", "hard"], (t) => t.task.difficulty);
  }
}

/** A choice per group (domain, difficulty) with its counts; disabled when none of its tasks can run. */
function groupChoices(
  groups: readonly string[],
  of: (t: LoadedTask) => string,
  tasks: LoadedTask[],
  passed: Set<string>,
  cannotRun: (loaded: LoadedTask) => string | undefined,
): Choice<string>[] {
  return groups.flatMap((name) => {
    const mine = tasks.filter((t) => of(t) === name);
    if (mine.length === 0) return [];
    const done = mine.filter((t) => passed.has(t.task.id)).length;
    const runnable = mine.some((t) => !cannotRun(t));
    return [
      {
        name: `${name.padEnd(16)} ${mine.length} task${mine.length === 1 ? "" : "s"}, ${done} passed`,
        value: name,
        disabled: runnable ? false : "none this cluster can run",
      },
    ];
  });
}
