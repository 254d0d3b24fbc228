/**
 * A point in time as a learner writes one: RFC 3339 / ISO 8601 (`2027-12-05T23:30:24Z`,
 * `2027-12-05 23:30:24+00:00`), openssl's `notAfter=Dec  5 23:30:24 2027 GMT` (with or
 * without `notAfter=`), `date`'s `Sun Dec  5 23:30:24 UTC 2027`, or kubeadm certs
 * check-expiration's `Dec 05, 2027 23:30 UTC`. A time without a zone is refused: it
 * would mean the grader's zone. `precision` is what the text gives: a time to the minute
 * equals any instant in that minute.
 */
export interface Instant {
  ms: number;
  precision: "second" | "minute";
}

const months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const zone = String.raw`(Z|UTC|GMT|[+-]\d{2}:?\d{2})`;
const time = String.raw`(\d{1,2}):(\d{2})(?::(\d{2}))?`;

const forms: { re: RegExp; parts: (m: RegExpExecArray) => Parts }[] = [
  {
    // 2027-12-05T23:30:24Z, 2027-12-05 23:30:24 +00:00
    re: new RegExp(String.raw`^(\d{4})-(\d{2})-(\d{2})[T ]${time}(?:\.\d+)?\s*${zone}$`, "i"),
    parts: (m) => ({ y: m[1], mon: Number(m[2]) - 1, d: m[3], h: m[4], min: m[5], s: m[6], z: m[7] }),
  },
  {
    // Dec  5 23:30:24 2027 GMT (openssl), Sun Dec  5 23:30:24 UTC 2027 (date)
    re: new RegExp(
      String.raw`^(?:[a-z]{3},?\s+)?([a-z]{3})\s+(\d{1,2})\s+${time}\s+(?:(\d{4})\s+${zone}|${zone}\s+(\d{4}))$`,
      "i",
    ),
    parts: (m) => ({
      y: m[6] ?? m[9],
      mon: month(m[1]),
      d: m[2],
      h: m[3],
      min: m[4],
      s: m[5],
      z: m[7] ?? m[8],
    }),
  },
  {
    // Dec 05, 2027 23:30 UTC (kubeadm certs check-expiration)
    re: new RegExp(String.raw`^([a-z]{3})\s+(\d{1,2}),\s*(\d{4})\s+${time}\s*${zone}$`, "i"),
    parts: (m) => ({ y: m[3], mon: month(m[1]), d: m[2], h: m[4], min: m[5], s: m[6], z: m[7] }),
  },
];

interface Parts {
  y?: string;
  mon: number;
  d?: string;
  h?: string;
  min?: string;
  s?: string;
  z?: string;
}

const month = (name = "") => months.indexOf(name.toLowerCase());

export function parseInstant(text: string): Instant | undefined {
  const trimmed = text
    .trim()
    .replace(/^notAfter\s*=\s*/i, "")
    .replace(/^notBefore\s*=\s*/i, "");
  for (const form of forms) {
    const m = form.re.exec(trimmed);
    if (!m) continue;
    const p = form.parts(m);
    if (p.mon < 0) return undefined;
    const ms = Date.UTC(Number(p.y), p.mon, Number(p.d), Number(p.h), Number(p.min), Number(p.s ?? 0));
    const check = new Date(ms);
    // Date.UTC rolls Feb 30 over to March: such a date is not one.
    if (check.getUTCDate() !== Number(p.d) || check.getUTCMonth() !== p.mon) return undefined;
    return { ms: ms - offsetMs(p.z ?? "Z"), precision: p.s === undefined ? "minute" : "second" };
  }
  return undefined;
}

function offsetMs(z: string): number {
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(z);
  if (!m) return 0;
  return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000;
}

/** Whether the answer names the wanted instant, at the answer's own precision. */
export function sameInstant(answer: Instant, wanted: Instant): boolean {
  if (answer.precision === "minute") return Math.floor(answer.ms / 60_000) === Math.floor(wanted.ms / 60_000);
  return Math.floor(answer.ms / 1000) === Math.floor(wanted.ms / 1000);
}
