package main

import (
	"github.com/spf13/cobra"
	"go.etcd.io/etcd/etcdctl/v3/ctlv3"
	"go.etcd.io/etcd/etcdutl/v3/etcdutl"
	"go.etcd.io/etcd/pkg/v3/cobrautl"
)

// The real etcdctl and etcdutl of the etcd release the cluster runs (v3.5.21), so
// `etcdctl snapshot save` and `etcdutl snapshot restore` behave exactly as in the exam.

func runEtcdctl() int {
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
