package main

import (
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/spf13/pflag"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/component-base/logs"
	"kubedrill.dev/local-cluster/resourcemetrics"
	"sigs.k8s.io/metrics-server/cmd/metrics-server/app"
)

// runMetricsServer is the upstream metrics-server, as its own main starts it. It reads
// the nodes' resource metrics from the node agent's kubelet API.
func runMetricsServer() int {
	// As for kwok: the linked Kubernetes packages' global --version would clash with cobra's.
	pflag.CommandLine = pflag.NewFlagSet(os.Args[0], pflag.ExitOnError)
	logs.InitLogs()
	defer logs.FlushLogs()
	command := app.NewMetricsServerCommand(genericapiserver.SetupSignalHandler())
	command.SetArgs(os.Args[1:])
	if err := command.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "metrics-server:", err)
		return 1
	}
	return 0
}

// The node agent serves every node's resource metrics from the one kubelet port, each
// under its own path, which the node's annotation tells metrics-server (as kwok does).
const metricsPathAnnotation = "metrics.k8s.io/resource-metrics-path"

func resourceMetricsPath(node string) string {
	return "/metrics/nodes/" + node + "/metrics/resource"
}

// What a kind node's kubelet, containerd and system use beside its pods.
var nodeBase = map[bool]resourcemetrics.Usage{
	true:  {CPU: 0.1, Memory: 600 << 20}, // the control-plane node
	false: {CPU: 0.02, Memory: 150 << 20},
}

func (a *kubeletAPI) resourceMetrics(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("node")
	node, err := a.nodes.Get(name)
	if err != nil {
		http.Error(w, fmt.Sprintf("node %q not found", name), http.StatusNotFound)
		return
	}
	all, err := a.pods.List(labels.Everything())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var pods []*corev1.Pod
	for _, pod := range all {
		if pod.Spec.NodeName == name {
			pods = append(pods, pod)
		}
	}
	_, controlPlane := node.Labels["node-role.kubernetes.io/control-plane"]
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	meta := resourcemetrics.Node{Name: name, Started: node.CreationTimestamp.Time, Base: nodeBase[controlPlane]}
	if err := a.meter.Render(w, meta, pods, time.Now()); err != nil {
		fmt.Fprintln(os.Stderr, "kubelet: metrics:", err)
	}
}
