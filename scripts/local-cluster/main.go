// Command kubedrill-cluster is a multi-call binary, like the old hyperkube: the
// control plane, etcd, kwok and metrics-server share one build and one link, which keeps a cold
// build inside CI's time limit. The first argument names the component.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	_ "time/tzdata" // CronJob time zones, as the upstream kube-controller-manager main does

	"go.etcd.io/etcd/server/v3/etcdmain"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
)

var components = map[string]func() int{
	"kube-apiserver":          func() int { return cli.Run(apiserver.NewAPIServerCommand()) },
	"kube-controller-manager": func() int { return cli.Run(controllermanager.NewControllerManagerCommand()) },
	"kube-scheduler":          func() int { return cli.Run(scheduler.NewSchedulerCommand()) },
	"etcd":                    func() int { etcdmain.Main(os.Args); return 0 },
	"kwok":                    runKwok,
	"kubelet":                 runKubelet,
	"certs":                   runCerts,
	"addons":                  runAddons,
	"node-shell":              runNodeShell,
	"node-shell-init":         runNodeShellInit,
	"systemctl":               runSystemctl,
	"journalctl":              runJournalctl,
	"crictl":                  runCrictl,
	"etcdctl":                 runEtcdctl,
	"etcdutl":                 runEtcdutl,
	"metrics-server":          runMetricsServer,
}

func main() {
	// Inside a node shell the node tools are links to this binary, named as the tool.
	if tool := filepath.Base(os.Args[0]); components[tool] != nil {
		os.Exit(components[tool]())
	}
	if len(os.Args) < 2 || components[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: kubedrill-cluster <component> [flags]")
		fmt.Fprintln(os.Stderr, "components: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok, kubelet, certs, addons, node-shell, systemctl, journalctl, crictl, etcdctl, etcdutl, metrics-server")
		os.Exit(2)
	}
	run := components[os.Args[1]]
	// Each component parses os.Args itself; drop the component name so it sees its own flags.
	os.Args = append([]string{os.Args[1]}, os.Args[2:]...)
	os.Exit(run())
}
