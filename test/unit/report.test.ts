import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import type { GradeReport } from "../../src/model/results.js";
import { renderHuman } from "../../src/report/human.js";
import { renderJson } from "../../src/report/json.js";
import { reportDocument, reportJsonSchema } from "../../src/report/json-schema.js";
import { renderJunit } from "../../src/report/junit.js";

// A reason quoting a CEL expression: it holds <, &, and both kinds of quotes.
const CEL_MISMATCH = {
  path: "status.containerStatuses[redis]",
  message:
    "self.restartCount < 3 && self.state.waiting.reason != 'ImagePullBackOff' is false (reason \"ImagePullBackOff\")",
};
const CEL_REASON = `${CEL_MISMATCH.path}: ${CEL_MISMATCH.message}`;
const PHASE = { path: "status.phase", found: "Pending", want: "Running" };

const report: GradeReport = {
  tasks: [
    {
      id: "svc-expose-web",
      title: "Expose the web deployment",
      domain: "networking",
      checks: [
        {
          title: "Service web exists in namespace shop",
          points: 2,
          earned: 2,
          passed: true,
          mismatches: [],
          durationMs: 14.2,
        },
        {
          title: "Service web selects the pods of deployment web",
          points: 3,
          earned: 3,
          passed: true,
          mismatches: [],
          durationMs: 31.8,
        },
      ],
      earned: 5,
      total: 5,
      passed: true,
      durationMs: 46,
    },
    {
      id: "pod-fix-redis-image",
      title: "Fix the redis pod",
      domain: "troubleshooting",
      checks: [
        {
          title: "Pod redis uses the image redis",
          points: 2,
          earned: 2,
          passed: true,
          mismatches: [],
          durationMs: 12,
        },
        {
          title: "Pod redis is Running",
          points: 3,
          earned: 0,
          passed: false,
          mismatches: [PHASE, CEL_MISMATCH],
          durationMs: 1234.5678,
        },
        {
          title: "Pod redis has the label app=cache",
          points: 1,
          earned: 0,
          passed: false,
          mismatches: [{ path: "metadata.labels.app", want: "cache" }],
          durationMs: 3,
        },
        {
          title: "Pod redis runs on a node labelled disk=ssd",
          points: 2,
          earned: 0,
          passed: false,
          skipped: "needs a cluster with more than one node",
          mismatches: [],
          durationMs: 0,
        },
      ],
      earned: 2,
      total: 6,
      passed: false,
      durationMs: 1249.6,
    },
  ],
  earned: 7,
  total: 11,
  percent: 63.6,
  passMark: 60,
  passed: true,
  context: "kind-kubedrill",
  startedAt: "2025-05-14T09:30:00.000Z",
  durationMs: 1301.25,
};

const ESC = "\u001b";
const stripAnsi = (text: string) => text.replace(new RegExp(`${ESC}\\[[0-9;]*m`, "g"), "");

describe("renderHuman", () => {
  it("lists each task with ✓/✗ checks, indented reasons, skipped checks and the total", () => {
    expect(renderHuman(report, { color: false })).toBe(
      [
        "svc-expose-web  Expose the web deployment  5/5 points",
        "  ✓ Service web exists in namespace shop  (2/2)",
        "  ✓ Service web selects the pods of deployment web  (3/3)",
        "",
        "pod-fix-redis-image  Fix the redis pod  2/6 points",
        "  ✓ Pod redis uses the image redis  (2/2)",
        "  ✗ Pod redis is Running  (0/3)",
        '      status.phase: found "Pending", want "Running"',
        `      ${CEL_REASON}`,
        "  ✗ Pod redis has the label app=cache  (0/1)",
        '      metadata.labels.app: missing, want "cache"',
        "  - Pod redis runs on a node labelled disk=ssd  (skipped: needs a cluster with more than one node)",
        "",
        "Total 7/11 points (63.6%) — PASSED (pass mark 60%)",
        "",
      ].join("\n"),
    );
  });

  it("says the score is below the pass mark when the report did not pass", () => {
    const failed = { ...report, passMark: 75, passed: false };
    expect(renderHuman(failed, { color: false })).toContain(
      "\nTotal 7/11 points (63.6%) — below the pass mark of 75%\n",
    );
  });

  it("keeps the same layout when the report has a single task", () => {
    const [, redis] = report.tasks;
    if (!redis) throw new Error("fixture has two tasks");
    const single = { ...report, tasks: [redis], earned: 2, total: 6, percent: 33.3, passed: false };
    expect(renderHuman(single, { color: false }).split("\n")).toEqual([
      "pod-fix-redis-image  Fix the redis pod  2/6 points",
      "  ✓ Pod redis uses the image redis  (2/2)",
      "  ✗ Pod redis is Running  (0/3)",
      '      status.phase: found "Pending", want "Running"',
      `      ${CEL_REASON}`,
      "  ✗ Pod redis has the label app=cache  (0/1)",
      '      metadata.labels.app: missing, want "cache"',
      "  - Pod redis runs on a node labelled disk=ssd  (skipped: needs a cluster with more than one node)",
      "",
      "Total 2/6 points (33.3%) — below the pass mark of 60%",
      "",
    ]);
  });

  it("indents every line of a reason that spans lines", () => {
    const [web] = report.tasks;
    if (!web) throw new Error("fixture has two tasks");
    const multiline = {
      ...report,
      tasks: [
        {
          ...web,
          checks: [
            {
              title: "CEL",
              points: 1,
              earned: 0,
              passed: false,
              mismatches: [{ path: "", message: "a\nb" }],
              durationMs: 1,
            },
          ],
        },
      ],
    };
    expect(renderHuman(multiline, { color: false })).toContain("  ✗ CEL  (0/1)\n      a\n      b\n");
  });

  it("colours ✓ green, ✗ red, reasons dim and headers bold only when asked to", () => {
    const coloured = renderHuman(report, { color: true });
    expect(coloured).toContain(`${ESC}[32m✓${ESC}[39m`);
    expect(coloured).toContain(`${ESC}[31m✗${ESC}[39m`);
    expect(coloured).toContain(`${ESC}[2m      status.phase: found "Pending", want "Running"${ESC}[22m`);
    expect(coloured).toContain(`${ESC}[1mpod-fix-redis-image  Fix the redis pod  2/6 points${ESC}[22m`);
    expect(renderHuman(report, { color: false })).not.toContain(ESC);
  });

  it("shows the same text with and without colour", () => {
    expect(stripAnsi(renderHuman(report, { color: true }))).toBe(renderHuman(report, { color: false }));
  });
});

describe("renderJson", () => {
  it("starts with the schema version and round-trips every check's points", () => {
    const parsed = JSON.parse(renderJson(report));
    expect(Object.keys(parsed)[0]).toBe("schema");
    expect(parsed.schema).toBe("kubedrill.grade/v1");
    expect(parsed).toMatchObject({ earned: 7, total: 11, percent: 63.6, passMark: 60, passed: true });
    const points = (r: GradeReport) =>
      r.tasks.map((t) =>
        t.checks.map((c) => [c.title, c.points, c.earned, c.passed, c.skipped, c.mismatches]),
      );
    expect(points(parsed)).toEqual(points(report));
  });

  it("is pretty-printed with two spaces", () => {
    expect(renderJson(report)).toMatch(/^\{\n {2}"schema": "kubedrill\.grade\/v1",\n/);
  });

  it("keeps the same key order whatever order the input objects were built in", () => {
    const reversed = (o: object) => Object.fromEntries(Object.entries(o).reverse());
    const shuffled = reversed({
      ...report,
      tasks: report.tasks.map((t) => reversed({ ...t, checks: t.checks.map(reversed) })),
    }) as GradeReport;
    expect(renderJson(shuffled)).toBe(renderJson(report));
  });

  it("leaves out fields the report type does not document", () => {
    const extra = { ...report, kubeconfig: "/home/me/.kube/config" } as GradeReport;
    expect(JSON.parse(renderJson(extra))).not.toHaveProperty("kubeconfig");
  });
});

describe("renderJunit", () => {
  const xml = renderJunit(report);

  it("counts tests, failures and skipped checks on testsuites, with the time in seconds", () => {
    expect(xml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n/);
    expect(xml).toContain('<testsuites name="kubedrill" tests="6" failures="2" skipped="1" time="1.301">');
  });

  it("writes one testsuite per task with its points, domain and title as properties", () => {
    expect(xml.match(/<testsuite /g)).toHaveLength(2);
    expect(xml).toContain(
      '<testsuite name="pod-fix-redis-image" tests="4" failures="2" errors="0" skipped="1" time="1.250"',
    );
    expect(xml).toContain('<property name="points.earned" value="2"/>');
    expect(xml).toContain('<property name="points.total" value="6"/>');
    expect(xml).toContain('<property name="domain" value="networking"/>');
    expect(xml).toContain('<property name="title" value="Fix the redis pod"/>');
  });

  it("writes one testcase per check, named after the check, timed in seconds with 3 decimals", () => {
    expect(xml.match(/<testcase /g)).toHaveLength(6);
    expect(xml).toContain(
      '<testcase classname="pod-fix-redis-image" name="Pod redis is Running" time="1.235">',
    );
    expect(xml).toContain(
      '<testcase classname="svc-expose-web" name="Service web exists in namespace shop" time="0.014"/>',
    );
  });

  it("fails a check with its first reason as the escaped message; the body holds all reasons, points and the mismatches as JSON", () => {
    const escapedCel =
      "status.containerStatuses[redis]: self.restartCount &lt; 3 &amp;&amp; self.state.waiting.reason != &apos;ImagePullBackOff&apos; is false (reason &quot;ImagePullBackOff&quot;)";
    const [running, labelled] = (report.tasks[1]?.checks ?? []).slice(1, 3);
    const escapedData = (check: typeof running) =>
      JSON.stringify({ mismatches: check?.mismatches })
        .replaceAll("&", "&amp;")
        .replaceAll("<", "&lt;")
        .replaceAll('"', "&quot;")
        .replaceAll("'", "&apos;");
    const failures = [...xml.matchAll(/<failure message="([^"]*)" type="check">([^<]*)<\/failure>/g)];
    expect(failures).toHaveLength(2);
    expect(failures[0]?.[1]).toBe("status.phase: found &quot;Pending&quot;, want &quot;Running&quot;");
    expect(failures[0]?.[2]).toBe(
      `status.phase: found &quot;Pending&quot;, want &quot;Running&quot;\n${escapedCel}\n${escapedData(running)}\n0/3 points`,
    );
    expect(failures[1]?.[1]).toBe("metadata.labels.app: missing, want &quot;cache&quot;");
    expect(failures[1]?.[2]).toBe(
      `metadata.labels.app: missing, want &quot;cache&quot;\n${escapedData(labelled)}\n0/1 points`,
    );
  });

  it("escapes a first reason holding < & and quotes inside the failure message", () => {
    const running = report.tasks[1]?.checks[1];
    if (!running) throw new Error("fixture has a failing check");
    const celFirst = {
      ...report,
      tasks: [{ ...report.tasks[1], checks: [{ ...running, mismatches: [CEL_MISMATCH] }] }],
    } as GradeReport;
    expect(renderJunit(celFirst)).toContain(
      '<failure message="status.containerStatuses[redis]: self.restartCount &lt; 3 &amp;&amp; self.state.waiting.reason != &apos;ImagePullBackOff&apos; is false (reason &quot;ImagePullBackOff&quot;)" type="check">',
    );
  });

  it("marks a skipped check with a skipped element carrying the reason", () => {
    expect(xml).toMatch(
      /<testcase classname="pod-fix-redis-image" name="Pod redis runs on a node labelled disk=ssd" time="0\.000">\n\s*<skipped message="needs a cluster with more than one node"\/>\n\s*<\/testcase>/,
    );
    expect(xml.match(/<skipped /g)).toHaveLength(1);
  });

  it("never leaves a raw < or unescaped & inside an attribute value", () => {
    const values = [...xml.matchAll(/\s[\w.]+="([^"]*)"/g)].map((m) => m[1] ?? "");
    expect(values.length).toBeGreaterThan(30);
    for (const value of values) {
      expect(value).not.toContain("<");
      expect(value).not.toMatch(/&(?!(amp|lt|gt|quot|apos|#\d+);)/);
    }
  });

  it("drops characters XML 1.0 forbids and keeps line breaks in attributes as references", () => {
    const running = report.tasks[1]?.checks[1];
    if (!running) throw new Error("fixture has a failing check");
    const noisy = {
      ...report,
      tasks: [
        {
          ...report.tasks[1],
          checks: [
            { ...running, mismatches: [{ path: "", message: `log:${ESC}[31m\u0000boom\nagain\uFFFF` }] },
          ],
        },
      ],
    } as GradeReport;
    expect(renderJunit(noisy)).toContain(
      '<failure message="log:[31mboom&#10;again" type="check">log:[31mboom\nagain\n',
    );
  });
});

describe("renderHuman for check", () => {
  it("speaks of every check, not of a 100% pass mark", () => {
    const failed = renderHuman({ ...report, passMark: 100, passed: false }, { color: false });
    expect(failed).toContain("— not passed yet: every check must pass");
    const passed = renderHuman({ ...report, passMark: 100, passed: true }, { color: false });
    expect(passed).toContain("— PASSED (every check)");
  });
});

describe("the JSON report's schema", () => {
  it("docs/report.schema.json is what the zod schema generates (run `npm run schema` when this fails)", async () => {
    const committed = JSON.parse(
      await readFile(new URL("../../docs/report.schema.json", import.meta.url), "utf8"),
    );
    expect(committed).toEqual(JSON.parse(JSON.stringify(reportJsonSchema())));
  });

  it("every rendered report is a valid document, mismatches carried as data", () => {
    const parsed = reportDocument.parse(JSON.parse(renderJson(report)));
    expect(parsed.tasks[1]?.checks[1]?.mismatches[0]).toEqual({
      path: "status.phase",
      found: "Pending",
      want: "Running",
    });
    expect(parsed.tasks[1]?.checks[2]?.reasons).toEqual(['metadata.labels.app: missing, want "cache"']);
  });

  it("carries a check's error apart from its mismatches", () => {
    const [, redis] = report.tasks;
    if (!redis) throw new Error("fixture has two tasks");
    const refused = {
      title: "x",
      points: 1,
      earned: 0,
      passed: false,
      mismatches: [],
      error: "forbidden",
      durationMs: 1,
    };
    const parsed = JSON.parse(renderJson({ ...report, tasks: [{ ...redis, checks: [refused] }] }));
    expect(parsed.tasks[0].checks[0]).toMatchObject({
      error: "forbidden",
      reasons: ["could not check: forbidden"],
    });
  });
});
