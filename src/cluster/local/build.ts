import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename } from "node:fs/promises";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { ClusterError } from "../../errors.js";
import { withLock } from "./lock.js";
import { cacheDir, localClusterSources } from "./paths.js";

export const kubernetesVersion = "v1.33.13";

export type Progress = (message: string) => void;

const ldflags = [
  "-s",
  "-w",
  ...["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"].flatMap((pkg) => [
    `-X ${pkg}.gitVersion=${kubernetesVersion}`,
    `-X ${pkg}.gitMajor=1`,
    `-X ${pkg}.gitMinor=33`,
    `-X ${pkg}.gitTreeState=clean`,
  ]),
].join(" ");

/** The binary's path is keyed by a hash of its sources, so any change rebuilds. */
export async function binaryPath(): Promise<string> {
  const hash = createHash("sha256");
  // Subpackages count too: a change anywhere in the module's Go code, or in a file it embeds, is a new binary.
  const files = (await readdir(localClusterSources, { recursive: true }))
    .filter((f) => /\.go$|^go\.(mod|sum)$|^stages\/executables\.yaml$/.test(f) && !f.endsWith("_test.go"))
    .sort();
  for (const file of files) {
    hash.update(file).update(await readFile(join(localClusterSources, file)));
  }
  hash.update(ldflags);
  const key = `${kubernetesVersion}-${hash.digest("hex").slice(0, 12)}`;
  return join(cacheDir(), "local-cluster", key, "kubedrill-cluster");
}

/** Builds the local cluster binary unless this exact version is already cached. */
export async function ensureBinary(progress: Progress): Promise<string> {
  const target = await binaryPath();
  if (existsSync(target)) return target;
  // Two clusters started at once (a test run's) build once: the second waits, then finds it.
  const folder = dirname(target);
  await mkdir(folder, { recursive: true });
  return withLock({ root: folder, lockFile: join(folder, "build.lock") }, "build", progress, async () =>
    existsSync(target) ? target : build(target, progress),
  );
}

async function build(target: string, progress: Progress): Promise<string> {
  const go = await execa("go", ["version"], { reject: false });
  if (go.failed) {
    throw new ClusterError(
      "the local cluster is built from source and needs the Go toolchain (go 1.24 or newer), which was not found",
      undefined,
      "install Go (https://go.dev/doc/install), or practise on kind or minikube: kubedrill cluster up --driver kind",
    );
  }
  progress(
    `building the local cluster (Kubernetes ${kubernetesVersion}, etcd, kwok) with ${go.stdout.trim()}`,
  );
  progress("a cold build compiles about 2,000 packages and takes 5 to 10 minutes on 2 cores; it runs once");
  const total = await countPackages();
  const partial = `${target}.partial`;
  const started = Date.now();
  const build = execa("go", ["build", "-v", "-o", partial, "-ldflags", ldflags, "."], {
    cwd: localClusterSources,
    reject: false,
    all: true,
  });
  let compiled = 0;
  let shown = 0;
  const tail: string[] = [];
  build.all?.setEncoding("utf8");
  build.all?.on("data", (chunk: string) => {
    for (const line of chunk.split("\n").filter(Boolean)) {
      compiled++;
      tail.push(line);
      if (tail.length > 20) tail.shift();
    }
    const percent = Math.min(99, Math.floor((compiled / total) * 100));
    if (percent >= shown + 10) {
      shown = percent - (percent % 10);
      progress(`  ${shown}% (${compiled} packages, ${Math.round((Date.now() - started) / 1000)}s)`);
    }
  });
  const result = await build;
  if (result.failed) {
    throw new ClusterError(
      `building the local cluster failed (go build exited ${result.exitCode}):\n${tail.join("\n")}`,
      undefined,
      `fix the error above, or build by hand: cd ${localClusterSources} && go build .`,
    );
  }
  await rename(partial, target);
  progress(`built ${target} in ${Math.round((Date.now() - started) / 1000)}s`);
  return target;
}

async function countPackages(): Promise<number> {
  const list = await execa("go", ["list", "-deps", "."], { cwd: localClusterSources, reject: false });
  return Math.max(1, list.stdout.split("\n").filter(Boolean).length);
}
