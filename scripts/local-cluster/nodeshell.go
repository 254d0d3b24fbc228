package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/pflag"
)

// A node of the local cluster is a folder (<state>/nodes/<node>). `node-shell` makes it
// feel like kind's `docker exec -it NODE bash`: on Linux it enters a user + mount + UTS
// namespace (no root needed) where the node's folders sit at their real paths and the
// hostname is the node's (nodeshell_linux.go); elsewhere, or where the kernel refuses
// namespaces, it falls back to a shell in the node's folder and says why.

// nodeOwned are the paths whose content is the node's own, kept in its folder: every
// write there persists and is what checks read through node access. The rest of the
// file system is the host's, so vi, openssl or base64 work unchanged.
var nodeOwned = []string{
	"/etc/kubernetes", "/etc/containerd", "/etc/cni",
	"/var", "/opt", "/root", "/tmp", "/srv", "/mnt",
}

// nodeToolsDir is where the simulated node services appear, first on PATH as on a
// kind node (crictl and etcdctl live in /usr/local/bin there).
const nodeToolsDir = "/usr/local/bin"

// nodeTools are the node services this binary answers to when called by these names.
var nodeTools = []string{"systemctl", "journalctl", "crictl", "etcdctl", "etcdutl"}

// nodeKubeconfig is where the shell offers the cluster's kubeconfig to crictl.
const nodeKubeconfig = "/run/kubedrill/kubeconfig"

const nodePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

type nodeShellOptions struct {
	root, node, kubeconfig string
	argv                   []string
}

func parseNodeShell(args []string) (nodeShellOptions, error) {
	var o nodeShellOptions
	flags := pflag.NewFlagSet("node-shell", pflag.ContinueOnError)
	flags.StringVar(&o.root, "root", "", "the node's folder")
	flags.StringVar(&o.node, "node", "", "the node's name, used as hostname")
	flags.StringVar(&o.kubeconfig, "kubeconfig", "", "a kubeconfig for crictl inside the node")
	if err := flags.Parse(args); err != nil {
		return o, err
	}
	o.argv = flags.Args()
	if o.root == "" || o.node == "" {
		return o, errors.New("usage: node-shell --root DIR --node NAME [--kubeconfig FILE] [-- COMMAND...]")
	}
	if info, err := os.Stat(o.root); err != nil || !info.IsDir() {
		return o, fmt.Errorf("node folder %s does not exist", o.root)
	}
	return o, nil
}

// runNodeShell runs a shell (no command) or one command on the node and returns its exit code.
func runNodeShell() int {
	o, err := parseNodeShell(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	// Ctrl-C and Ctrl-\ are for the shell or command inside, not for this waiting parent.
	signal.Ignore(syscall.SIGINT, syscall.SIGQUIT)
	code, why := enterNode(o)
	if why == nil {
		return code
	}
	fmt.Fprintf(os.Stderr, "kubedrill: no node namespace here (%v); running in the node's folder %s instead, where node paths are relative (etc/kubernetes, not /etc/kubernetes)\n", why, o.root)
	return folderShell(o)
}

// folderShell is the fallback: the command runs in the node's folder, and the node
// services find their state there through KUBEDRILL_NODE_ROOT.
func folderShell(o nodeShellOptions) int {
	bin, err := os.MkdirTemp("", "kubedrill-node-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(bin)
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for _, tool := range nodeTools {
		if err := os.Symlink(self, filepath.Join(bin, tool)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	argv := o.argv
	if len(argv) == 0 {
		argv = []string{defaultShell()}
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = o.root
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), "PATH="+bin+string(filepath.ListSeparator)+os.Getenv("PATH"), "KUBEDRILL_NODE_ROOT="+o.root)
	if o.kubeconfig != "" {
		cmd.Env = append(cmd.Env, "KUBEDRILL_KUBECONFIG="+o.kubeconfig)
	}
	return exitCode(cmd.Run())
}

func defaultShell() string {
	for _, shell := range []string{"/bin/bash", "/usr/bin/bash", "/bin/sh"} {
		if _, err := os.Stat(shell); err == nil {
			return shell
		}
	}
	return "sh"
}

// exitCode turns a finished command into a shell's exit code: its own, or 128+signal.
func exitCode(err error) int {
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		if status, ok := exit.Sys().(syscall.WaitStatus); ok && status.Signaled() {
			return 128 + int(status.Signal())
		}
		return exit.ExitCode()
	case errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist):
		fmt.Fprintln(os.Stderr, err)
		return 127
	default:
		fmt.Fprintln(os.Stderr, err)
		return 126
	}
}
