import { describe, expect, it } from "vitest";
import { ClusterError } from "../../../src/errors.js";
import { connectOrStartLocal } from "../../../src/session/cluster.js";
import { scriptedPrompts } from "./prompt-script.js";

const unreachable = new ClusterError(
  'cannot reach cluster "kind-kubedrill" at https://127.0.0.1:40123 (ECONNREFUSED)',
  "kind-kubedrill",
  "is it running?",
);

/** connect fails the first `failures` times, then answers. */
function flakyConnect(failures: number, error: Error = unreachable) {
  let calls = 0;
  return {
    connect: async () => {
      calls++;
      if (calls <= failures) throw error;
      return "connected";
    },
    calls: () => calls,
  };
}

describe("connectOrStartLocal", () => {
  it("connects without asking when a cluster answers", async () => {
    const script = scriptedPrompts([]);
    const cluster = flakyConnect(0);
    const result = await connectOrStartLocal(cluster.connect, async () => {}, {
      prompts: script.prompts,
      print: () => {},
    });
    expect(result).toBe("connected");
  });

  it("says why, mentions kind and minikube, and on yes (the default) starts the local cluster and connects", async () => {
    const output: string[] = [];
    const script = scriptedPrompts([{ sees: /Start the local cluster now\? \(Y\/n\)/, keys: ["enter"] }]);
    const cluster = flakyConnect(1);
    let started = 0;
    const result = await connectOrStartLocal(
      cluster.connect,
      async () => {
        started++;
      },
      { prompts: script.prompts, print: (t) => output.push(t) },
    );
    expect(result).toBe("connected");
    expect(started).toBe(1);
    expect(cluster.calls()).toBe(2);
    expect(output.join("\n")).toContain(`No practice cluster is reachable: ${unreachable.message}`);
    expect(output.join("\n")).toMatch(/kind create cluster.*minikube start/);
  });

  it("on no, fails with the original error and its hint, starting nothing", async () => {
    const script = scriptedPrompts([{ sees: /Start the local cluster now\?/, type: "n", keys: ["enter"] }]);
    let started = 0;
    await expect(
      connectOrStartLocal(
        flakyConnect(1).connect,
        async () => {
          started++;
        },
        { prompts: script.prompts, print: () => {} },
      ),
    ).rejects.toBe(unreachable);
    expect(started).toBe(0);
  });

  it("does not offer a cluster for errors that are not about reaching one", async () => {
    const bug = new TypeError("a bug");
    const script = scriptedPrompts([]);
    await expect(
      connectOrStartLocal(flakyConnect(1, bug).connect, async () => {}, {
        prompts: script.prompts,
        print: () => {},
      }),
    ).rejects.toBe(bug);
  });
});
