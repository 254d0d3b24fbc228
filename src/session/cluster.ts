import { ClusterError } from "../errors.js";
import type { Prompts } from "./prompts.js";

/**
 * Connects; when no practice cluster answers, says why and offers to start the
 * local one, so that on a fresh machine `kubedrill practice` leads into a task.
 * Declined, the original error (with its hint) stands.
 */
export async function connectOrStartLocal<T>(
  connect: () => Promise<T>,
  startLocal: () => Promise<void>,
  io: { prompts: Prompts; print(text: string): void },
): Promise<T> {
  try {
    return await connect();
  } catch (err) {
    if (!(err instanceof ClusterError)) throw err;
    io.print(`No practice cluster is reachable: ${err.message}`);
    io.print(
      "kubedrill can start its local cluster (no Docker needed; the first start builds it from source with Go, " +
        "5-10 minutes) and make it your current kubectl context. kind or minikube work as well: create a cluster " +
        "(kind create cluster --config kind-config.yaml, or minikube start) and run kubedrill practice again.",
    );
    const yes = await io.prompts.confirm({ message: "Start the local cluster now?", default: true });
    if (!yes) throw err;
    await startLocal();
    return connect();
  }
}
