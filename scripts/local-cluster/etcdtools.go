package main

import (
	"net/url"
	"os"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"go.etcd.io/etcd/etcdctl/v3/ctlv3"
	"go.etcd.io/etcd/etcdutl/v3/etcdutl"
	"go.etcd.io/etcd/pkg/v3/cobrautl"
)

// The real etcdctl and etcdutl of the etcd release the cluster runs (v3.5.21), so
// `etcdctl snapshot save` and `etcdutl snapshot restore` behave exactly as in the exam.

func runEtcdctl() int {
	mapEtcdPort()
	if err := ctlv3.Start(); err != nil {
		cobrautl.ExitWithError(cobrautl.ExitError, err)
	}
	return 0
}

// runEtcdutl assembles etcdutl's command tree as its own main package does (that
// package cannot be imported; its commands can).
func runEtcdutl() int {
	cobra.EnablePrefixMatching = true // as etcdutl does: `etcdutl snap status`
	root := &cobra.Command{Use: "etcdutl", Short: "An administrative command line tool for etcd3."}
	root.PersistentFlags().StringVarP(&etcdutl.OutputFormat, "write-out", "w", "simple", "set the output format (fields, json, protobuf, simple, table)")
	root.AddCommand(
		etcdutl.NewBackupCommand(),
		etcdutl.NewDefragCommand(),
		etcdutl.NewSnapshotCommand(),
		etcdutl.NewVersionCommand(),
		etcdutl.NewCheckCommand(),
	)
	root.SetHelpTemplate(`{{.UsageString}}`)
	if err := root.Execute(); err != nil {
		cobrautl.ExitWithError(cobrautl.ExitError, err)
	}
	return 0
}

// mapEtcdPort sends etcdctl's loopback endpoints at port 2379, where a kubeadm node's
// etcd listens, to the port this node's etcd listens on (its manifest's
// --listen-client-urls): each local cluster has its own, as several may share a machine.
func mapEtcdPort() {
	manifest, err := os.ReadFile(onNode("/etc/kubernetes/manifests/etcd.yaml"))
	if err != nil {
		return
	}
	match := regexp.MustCompile(`--listen-client-urls=(\S+)`).FindSubmatch(manifest)
	if match == nil {
		return
	}
	listen, err := url.Parse(strings.Split(string(match[1]), ",")[0])
	if err != nil || listen.Port() == "" || listen.Port() == "2379" {
		return
	}
	loopback := regexp.MustCompile(`((?:^|,|//|=)(?:127\.0\.0\.1|localhost)):2379\b`)
	rewrite := func(endpoints string) string { return loopback.ReplaceAllString(endpoints, "${1}:"+listen.Port()) }
	given := false
	for i, arg := range os.Args {
		switch {
		case strings.HasPrefix(arg, "--endpoints="):
			os.Args[i], given = rewrite(arg), true
		case arg == "--endpoints" && i+1 < len(os.Args):
			os.Args[i+1], given = rewrite(os.Args[i+1]), true
		}
	}
	if env := os.Getenv("ETCDCTL_ENDPOINTS"); env != "" {
		_ = os.Setenv("ETCDCTL_ENDPOINTS", rewrite(env))
	} else if !given {
		_ = os.Setenv("ETCDCTL_ENDPOINTS", "127.0.0.1:"+listen.Port()) // etcdctl's default, 127.0.0.1:2379
	}
}
