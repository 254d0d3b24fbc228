import { lstat, readlink, realpath } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, posix, relative, resolve, sep } from "node:path";
import { UsageError } from "../errors.js";

/**
 * Folders a node cannot run without: removing one (or /) breaks the node rather than
 * undoing a task. Node-level tasks remove files inside them, never the folders themselves.
 */
export const protectedNodePaths = new Set([
  "/",
  "/bin",
  "/boot",
  "/dev",
  "/etc",
  "/etc/cni",
  "/etc/kubernetes",
  "/etc/kubernetes/manifests",
  "/etc/kubernetes/pki",
  "/home",
  "/lib",
  "/opt",
  "/opt/cni",
  "/proc",
  "/root",
  "/run",
  "/sbin",
  "/sys",
  "/usr",
  "/var",
  "/var/lib",
  "/var/lib/etcd",
  "/var/lib/kubelet",
  "/var/log",
]);

/** Refuses to remove / or a folder the node needs; `path` is an absolute node path. */
export function refuseProtectedRemoval(node: string, path: string): void {
  const normalized = posix.normalize(path).replace(/(.)\/+$/, "$1");
  if (protectedNodePaths.has(normalized)) {
    throw new UsageError(
      `refusing to remove ${normalized} on node ${node}: the node needs it`,
      "remove the files inside it by name, e.g. kubedrill node rm NODE:/etc/kubernetes/manifests/web.yaml",
    );
  }
}

/**
 * The host path of `file` inside the node folder `root` with every symlink resolved, or a
 * UsageError when it leads outside. With `keepLast`, the last component itself is not
 * followed (rm removes a link, not what it points to), though it must still lead inside.
 */
export async function resolveInside(
  root: string,
  file: string,
  shown: string,
  keepLast = false,
): Promise<string> {
  const realRoot = await realpath(root);
  const real = await resolveExisting(file);
  const outside = (p: string) => {
    const rel = relative(realRoot, p);
    return rel.split(sep)[0] === ".." || isAbsolute(rel);
  };
  if (outside(real)) {
    throw new UsageError(
      `${shown} leads outside the node's folder (to ${real}); kubedrill does not follow it`,
      "node paths and the symlinks in them must stay inside the node",
    );
  }
  if (!keepLast) return real;
  const parent = await resolveExisting(dirname(file));
  return join(parent, basename(file));
}

/** realpath for a path that may not exist yet: resolves its nearest existing ancestor. */
async function resolveExisting(file: string): Promise<string> {
  const rest: string[] = [];
  let current = file;
  for (let hops = 0; hops < 64; hops++) {
    const real = await realpath(current).catch(() => undefined);
    if (real) return join(real, ...rest);
    const link = await lstat(current).catch(() => undefined);
    if (link?.isSymbolicLink()) {
      // A dangling link: follow it by hand, since write would create its target.
      current = resolve(dirname(current), await readlink(current));
      continue;
    }
    if (dirname(current) === current) return join(current, ...rest);
    rest.unshift(basename(current));
    current = dirname(current);
  }
  throw new UsageError(`${file}: too many levels of symbolic links`);
}
