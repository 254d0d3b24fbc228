import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
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
  return `^(${hub}|${registries})(:${catalog.tags})?(@sha256:[a-f0-9]{64})?$`;
}

export async function loadImageCatalog(): Promise<ImageCatalog> {
  return parse(await readFile(join(localClusterSources, "stages", "images.yaml"), "utf8")) as ImageCatalog;
}

/** Fills the stage templates: kwok evaluates selectors with jq and templates with Go's text/template. */
export async function renderStages(kubernetesVersion: string): Promise<string> {
  const pattern = imagePattern(await loadImageCatalog());
  // A JSON string literal is also a valid jq and Go template string literal.
  const literal = JSON.stringify(pattern);
  const imagesKnown = `[.spec.containers[].image, (.spec.initContainers // [])[].image] | all(test(${literal}))`;
  const read = (name: string) => readFile(join(localClusterSources, "stages", name), "utf8");
  const pods = (await read("pod.yaml"))
    .replaceAll("IMAGES_KNOWN", imagesKnown.replaceAll("'", "''"))
    .replaceAll('"IMAGE_PATTERN"', literal);
  const nodes = (await read("node.yaml")).replaceAll("KUBE_VERSION", kubernetesVersion);
  return `${pods}\n---\n${nodes}`;
}
