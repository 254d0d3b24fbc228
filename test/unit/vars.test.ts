import { describe, expect, it } from "vitest";
import { fill } from "../../src/engine/vars.js";

describe("task variables", () => {
  it("fills {{name}} in every string of nested objects and lists", () => {
    const filled = fill(
      { a: "static-web-{{worker}}", b: [{ c: "{{ namespace }}/x" }], n: 3 },
      {
        worker: "kubedrill-worker",
        namespace: "pods-static",
      },
    );
    expect(filled).toEqual({ a: "static-web-kubedrill-worker", b: [{ c: "pods-static/x" }], n: 3 });
  });

  it("leaves unknown placeholders as they are so a check can say what is missing", () => {
    expect(fill("node {{podNode}}", { worker: "w" })).toBe("node {{podNode}}");
  });
});
