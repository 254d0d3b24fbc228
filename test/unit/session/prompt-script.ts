import { setTimeout as sleep } from "node:timers/promises";
import { confirm, search, select } from "@inquirer/prompts";
import { render } from "@inquirer/testing";
import type { Prompts } from "../../../src/session/prompts.js";

type Key = string | { name: string; ctrl?: boolean };

/** What the learner sees at one prompt, and what they type and press there. */
export interface Step {
  sees: RegExp;
  type?: string;
  /** After typing, wait until the screen shows this (search results load asynchronously). */
  shows?: RegExp;
  keys: Key[];
}

export const ctrlC: Key = { name: "c", ctrl: true };

async function until(screen: () => string, want: RegExp): Promise<void> {
  for (let i = 0; i < 200 && !want.test(screen()); i++) await sleep(5);
  if (!want.test(screen())) throw new Error(`the prompt never showed ${want}; it shows:\n${screen()}`);
}

/**
 * Real inquirer prompts, rendered by @inquirer/testing and answered from a script,
 * one step per prompt. A prompt the script did not expect fails the test.
 */
export function scriptedPrompts(steps: Step[]) {
  const screens: string[] = [];
  const ask = async <V>(prompt: unknown, config: { message: string }): Promise<V> => {
    const step = steps.shift();
    if (!step) throw new Error(`unexpected prompt "${config.message}"`);
    const ui = await render(prompt as Parameters<typeof render>[0], config as never);
    await until(ui.getScreen, step.sees);
    if (step.type) ui.events.type(step.type);
    if (step.shows) await until(ui.getScreen, step.shows);
    screens.push(ui.getScreen());
    for (const key of step.keys) ui.events.keypress(key);
    return ui.answer as Promise<V>;
  };
  const prompts: Prompts = {
    select: (config) => ask(select, config),
    search: (config) => ask(search, config),
    confirm: (config) => ask(confirm, config),
  };
  return { prompts, screens, unused: () => steps.length };
}
