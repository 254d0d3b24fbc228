import { formatMismatch } from "../engine/match.js";
import type { CheckResult, Mismatch } from "../model/results.js";

/** One line for one mismatch: `web: spec.containers[nginx].image: found "nginx:1.25", want "nginx:1.27"`. */
export function mismatchLine(mismatch: Mismatch): string {
  const text = mismatch.access ? accessLine(mismatch) : formatMismatch(mismatch);
  return mismatch.object ? `${mismatch.object}: ${text}` : text;
}

/** Why a check failed, one sentence per mismatch, or the reason it could not be evaluated; empty when it passed. */
export function checkReasons(check: CheckResult): string[] {
  const lines = check.mismatches.map(mismatchLine);
  return check.error === undefined ? lines : [...lines, `could not check: ${check.error}`];
}

/** `delete pods in namespace web: found allowed, want denied (RBAC: allowed by …)` */
export function accessLine(m: Mismatch): string {
  const why = m.message ? ` (${m.message})` : "";
  return `${m.path}: found ${m.found}, want ${m.want}${why}`;
}
