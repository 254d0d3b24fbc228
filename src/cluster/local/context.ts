/** The local cluster's kubeconfig context; apart from control-plane.ts so that naming it loads nothing. */
export const localContext = "kubedrill-local";
