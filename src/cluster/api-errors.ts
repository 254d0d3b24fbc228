import { ApiStatusError, ClusterRequestError } from "../errors.js";
import { localApiDown } from "./local/api-down.js";

/**
 * What an answer (or its absence) means, said once: a refusal, a timeout, a dropped
 * connection or a body that is not JSON is the cluster's problem (exit 3); a 404, 409
 * or 422 is an answer about one object, left to the caller as an ApiStatusError.
 */

/** One request, as messages name it. */
export interface RequestAt {
  context: string;
  server: string;
  /** e.g. "GET /api/v1/namespaces/web/pods" */
  what: string;
}

export function statusError(status: number, text: string, at: RequestAt): Error {
  let reason = "";
  let message = oneLine(text) || `HTTP ${status}`;
  try {
    const parsed = JSON.parse(text) as { reason?: string; message?: string };
    reason = parsed.reason ?? "";
    message = parsed.message ?? message;
  } catch {
    // not a Status object; keep the text
  }
  const cause = `${status}${reason ? ` ${reason}` : ""}`;
  if (status === 401) {
    return new ClusterRequestError(
      "refused",
      `cluster "${at.context}" refused ${at.what} (${cause}: ${message}): the credentials are not accepted`,
      at.context,
      "renew the credentials of this context (kubectl config view --minify shows them), or recreate a practice cluster: kubedrill cluster up",
    );
  }
  if (status === 403) {
    return new ClusterRequestError(
      "refused",
      `cluster "${at.context}" refused ${at.what} (${cause}): ${message}`,
      at.context,
      "use a context whose user may read and write here, e.g. the practice cluster's admin (kubectl auth can-i --list)",
    );
  }
  if (status >= 500 || status === 429) {
    return new ClusterRequestError(
      "server",
      `cluster "${at.context}" failed ${at.what} (${cause}): ${message}`,
      at.context,
      "the API server is unwell; try again, and see: kubedrill cluster status",
    );
  }
  return new ApiStatusError(status, reason, message);
}

/** A 2xx answer whose body is not the JSON it should be (cut short, or not JSON at all). */
export function garbageError(text: string, at: RequestAt): ClusterRequestError {
  const start = oneLine(text).slice(0, 60);
  return new ClusterRequestError(
    "garbage",
    `cluster "${at.context}" answered ${at.what} with ${text ? `something that is not complete JSON ("${start}${text.length > 60 ? "…" : ""}", ${text.length} bytes)` : "an empty body"}`,
    at.context,
    "is a proxy between you and the API server? check the server address: kubectl config view --minify",
  );
}

/** No answer: refused connection, dropped connection, or no answer in time. */
export function transportError(
  err: Error,
  timeoutMs: number | undefined,
  at: RequestAt,
): ClusterRequestError {
  if (timeoutMs !== undefined) {
    return new ClusterRequestError(
      "timeout",
      `cluster "${at.context}" at ${at.server} gave no answer to ${at.what} within ${seconds(timeoutMs)}`,
      at.context,
      "is the API server overloaded or stuck? see: kubedrill cluster status",
    );
  }
  const code = (err as NodeJS.ErrnoException).code ?? err.message;
  if (code === "ECONNRESET" || /socket hang up|aborted/i.test(err.message)) {
    return new ClusterRequestError(
      "closed",
      `cluster "${at.context}" at ${at.server} closed the connection during ${at.what} (${code})`,
      at.context,
      "is the API server restarting? see: kubedrill cluster status",
    );
  }
  const local = localApiDown(at.context, at.server);
  if (local !== undefined) {
    return new ClusterRequestError(
      "unreachable",
      local,
      at.context,
      "its manifest is /etc/kubernetes/manifests/kube-apiserver.yaml (kubedrill node shell kubedrill-control-plane); kubedrill cluster status shows every component",
    );
  }
  return new ClusterRequestError(
    "unreachable",
    `cannot reach cluster "${at.context}" at ${at.server} (${code})`,
    at.context,
    "is it running? try: kubedrill cluster status, or kubedrill cluster up",
  );
}

export function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim().slice(0, 300);
}
