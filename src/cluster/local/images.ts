import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse, parseAllDocuments, stringify } from "yaml";
import { localClusterSources } from "./paths.js";

interface ImageCatalog {
  tags: string;
  dockerHub: string[];
  registries: string[];
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");

/** One RE2-compatible pattern that matches every image reference the catalog allows. */
export function imagePattern(catalog: ImageCatalog): string {
  const hub = `(docker\\.io/(library/)?)?(${catalog.dockerHub.map(escapeRegex).join("|")})`;
  const registries = `(${catalog.registries.map(escapeRegex).join("|")})`;
  return `^(${hub}(:${catalog.tags})?|${registries}(:v?${catalog.tags})?)(@sha256:[a-f0-9]{64})?$`;
}

/**
 * A container's command (command and args joined by spaces) that fails: `false`, or a
 * shell script whose last statement is `false` or `exit N` with N > 0. RE2, for jq and templates.
 */
export const failPattern =
  "^((/usr)?/bin/)?false$|^((/usr)?/bin/)?(ba)?sh (-[a-z]+ )*-[a-z]*c (.*[;&|\\n] *)?(false|exit +[1-9][0-9]*) *;? *$";

/** A command that completes at once with exit 0: `true`, `echo`, `printf`, `date`, or a script ending in one or in `exit 0`. */
export const completePattern =
  "^((/usr)?/bin/)?(true|echo( .*)?|printf( .*)?|date)$|^((/usr)?/bin/)?(ba)?sh (-[a-z]+ )*-[a-z]*c (.*[;&|\\n] *)?(true|exit +0|echo( [^;&|]*)?|printf( [^;&|]*)?|date) *;? *$";

export async function loadImageCatalog(): Promise<ImageCatalog> {
  return parse(await readFile(join(localClusterSources, "stages", "images.yaml"), "utf8")) as ImageCatalog;
}

/**
 * Fills the stage templates: kwok evaluates selectors with jq and templates with
 * Go's text/template. The files are parsed and filled as data so that quoting in
 * them does not matter.
 */
export async function renderStages(kubernetesVersion: string, kubeletPort: number): Promise<string> {
  const pattern = imagePattern(await loadImageCatalog());
  // A JSON string literal is also a valid jq and Go template string literal.
  const literal = JSON.stringify(pattern);
  const imagesKnown = `[.spec.containers[].image, (.spec.initContainers // [])[].image] | all(test(${literal}))`;
  const failLiteral = JSON.stringify(failPattern);
  const completeLiteral = JSON.stringify(completePattern);
  const argv = `((.command // []) + (.args // []) | join(" "))`;
  // $ann: the pod's annotations, bound by POD_FAILS, POD_EXITS and JOB_OWNED.
  // The node agent marks a container exiting with a code (exit.) or failing to start (start-error.).
  const containerFails = `((${argv} | test(${failLiteral})) or (.name as $n | $ann | has("kubedrill.dev/exit." + $n) or has("kubedrill.dev/start-error." + $n)))`;
  // Job pods complete through pod-complete; only elsewhere does a completed container restart.
  const containerExits = `(${containerFails} or ($job | not) and (${argv} | test(${completeLiteral})))`;
  const jobOwned = `([(.metadata.ownerReferences // [])[].kind] | any(. == "Job"))`;
  const annotations = "(.metadata.annotations // {}) as $ann";
  const fillText = (text: string) =>
    text
      .replaceAll("IMAGES_KNOWN", imagesKnown)
      .replaceAll("POD_FAILS", `${annotations} | [.spec.containers[] | ${containerFails}] | any`)
      .replaceAll(
        "POD_EXITS",
        `${annotations} | ${jobOwned} as $job | [.spec.containers[] | ${containerExits}] | any`,
      )
      .replaceAll("JOB_OWNED", `${annotations} | ${jobOwned}`)
      .replaceAll("CONTAINER_EXITS", containerExits)
      .replaceAll('"FAIL_PATTERN"', failLiteral)
      .replaceAll('"COMPLETE_PATTERN"', completeLiteral)
      .replaceAll('"IMAGE_PATTERN"', literal)
      .replaceAll("KUBE_VERSION", kubernetesVersion)
      .replaceAll("KUBELET_PORT", String(kubeletPort));
  const fillValue = (value: unknown): unknown => {
    if (typeof value === "string") return fillText(value);
    if (Array.isArray(value)) return value.map(fillValue);
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillValue(v)]));
    }
    return value;
  };
  const docs: string[] = [];
  for (const name of ["pod.yaml", "pod-crash.yaml", "node.yaml"]) {
    const text = await readFile(join(localClusterSources, "stages", name), "utf8");
    for (const doc of parseAllDocuments(text)) docs.push(stringify(fillValue(doc.toJS())));
  }
  return docs.join("---\n");
}
