import { ClusterError } from "../../errors.js";
import type { NodeAccess } from "../../model/node-access.js";
import { minikubeContext } from "../drivers/driver.js";
import { localContext, locateLocal } from "../local/locate.js";
import { KindNodeAccess } from "./kind.js";
import { LocalNodeAccess } from "./local.js";
import { MinikubeNodeAccess } from "./minikube.js";

export type { NodeAccess };
export { KindNodeAccess, LocalNodeAccess, MinikubeNodeAccess };

/**
 * Picks the node-access driver from the kubeconfig context's name: kind names its
 * contexts kind-<cluster>, minikube after the profile (minikube, or kubedrill as
 * `kubedrill cluster up --driver minikube` creates it).
 */
export function nodeAccessFor(context: string, kubeconfigFiles?: string[]): NodeAccess {
  // The context's kubeconfig entry says where `cluster up` put the nodes' folders.
  if (context === localContext)
    return new LocalNodeAccess(locateLocal({ context, files: kubeconfigFiles, mustExist: true }).nodes);
  if (context.startsWith("kind-")) return new KindNodeAccess();
  if (context === "minikube" || context === minikubeContext) return new MinikubeNodeAccess(context);
  throw new ClusterError(
    `no node access for context "${context}": kubedrill reaches the nodes of kind (kind-*), minikube (minikube, ${minikubeContext}) and local (${localContext}) clusters`,
    context,
    "practise node-level tasks on one of those: kubedrill cluster up",
  );
}
