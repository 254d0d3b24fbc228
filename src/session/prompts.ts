import { confirm, search, select } from "@inquirer/prompts";

export interface Choice<V> {
  name: string;
  value: V;
  /** Shown after the answer instead of the name. */
  short?: string;
  description?: string;
  disabled?: boolean | string;
}

/**
 * The prompts the session flows ask through. The terminal gets inquirer's; tests
 * drive the same inquirer prompts through @inquirer/testing.
 */
export interface Prompts {
  select<V>(config: { message: string; choices: Choice<V>[]; default?: V; pageSize?: number }): Promise<V>;
  search<V>(config: {
    message: string;
    source: (term: string | undefined) => Choice<V>[];
    pageSize?: number;
  }): Promise<V>;
  confirm(config: { message: string; default?: boolean }): Promise<boolean>;
}

export const terminalPrompts: Prompts = {
  select: (config) => select(config),
  search: (config) => search(config),
  confirm: (config) => confirm(config),
};

/** Ctrl+C at a prompt: inquirer rejects with ExitPromptError, matched by name as its docs advise. */
export function isPromptExit(err: unknown): boolean {
  return err instanceof Error && err.name === "ExitPromptError";
}
