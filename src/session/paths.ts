import { homedir } from "node:os";
import { dirname, join } from "node:path";

/** kubedrill's folder in the XDG state dir, beside the local cluster's `local/`. */
function sessionDir(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_STATE_HOME || join(homedir(), ".local", "state"), "kubedrill");
}

/** The append-only practice and exam history; KUBEDRILL_HISTORY moves it (tests use a temp file). */
export function historyFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.KUBEDRILL_HISTORY || join(sessionDir(env), "history.jsonl");
}

/** The mock exam in progress, kept on disk so it outlives the terminal; KUBEDRILL_EXAM moves it. */
export function examFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.KUBEDRILL_EXAM || join(sessionDir(env), "exam.json");
}

/** The last submitted exam's results, beside the exam file, so that KUBEDRILL_EXAM moves both. */
export function examReviewFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(dirname(examFile(env)), "last-exam.json");
}
