package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// enterNode re-executes this binary as `node-shell-init` in new user, mount and UTS
// namespaces (Go cannot unshare a running multi-threaded process), mapping the caller
// to root as `unshare -r` does. The child builds the node's view and execs the command;
// it reports a failed setup on fd 3 so this parent can fall back. A nil error means the
// command ran in the node, and the int is its exit code.
func enterNode(o nodeShellOptions) (int, error) {
	self, err := os.Executable()
	if err != nil {
		return 0, err
	}
	newRoot, err := os.MkdirTemp("", "kubedrill-node-")
	if err != nil {
		return 0, err
	}
	defer os.Remove(newRoot)
	report, reportWriter, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	defer report.Close()
	args := []string{"node-shell-init", "--root", o.root, "--node", o.node, "--kubeconfig", o.kubeconfig, "--new-root", newRoot, "--self", self, "--"}
	cmd := exec.Command(self, append(args, o.argv...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{reportWriter}
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:                 syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS | syscall.CLONE_NEWUTS,
		UidMappings:                []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings:                []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
		GidMappingsEnableSetgroups: false,
	}
	started := cmd.Start()
	reportWriter.Close()
	if started != nil {
		return 0, fmt.Errorf("cannot create a user namespace: %w", started)
	}
	failure, _ := io.ReadAll(report)
	err = cmd.Wait()
	if len(failure) > 0 {
		return 0, errors.New(strings.TrimSpace(string(failure)))
	}
	return exitCode(err), nil
}

// runNodeShellInit runs inside the new namespaces: it mounts the node's view, sets the
// hostname, and replaces itself with the command. Anything that fails before the exec
// goes to fd 3, which the exec closes, so the parent reads nothing when all went well.
func runNodeShellInit() int {
	report := os.NewFile(3, "report")
	syscall.CloseOnExec(3)
	fail := func(err error) int {
		fmt.Fprintln(report, err)
		return 1
	}
	var o nodeShellOptions
	var newRoot, self string
	args := os.Args[1:]
	for len(args) >= 2 && args[0] != "--" {
		switch args[0] {
		case "--root":
			o.root = args[1]
		case "--node":
			o.node = args[1]
		case "--kubeconfig":
			o.kubeconfig = args[1]
		case "--new-root":
			newRoot = args[1]
		case "--self":
			self = args[1]
		}
		args = args[2:]
	}
	if len(args) > 0 && args[0] == "--" {
		o.argv = args[1:]
	}
	if err := buildNodeRoot(o, newRoot, self); err != nil {
		return fail(err)
	}
	if err := syscall.Sethostname([]byte(o.node)); err != nil {
		return fail(fmt.Errorf("sethostname: %w", err))
	}
	if err := syscall.Chroot(newRoot); err != nil {
		return fail(fmt.Errorf("chroot: %w", err))
	}
	if err := os.Chdir("/"); err != nil {
		return fail(err)
	}
	argv := o.argv
	if len(argv) == 0 {
		argv = []string{defaultShell()} // interactive, not login: as `docker exec -it NODE bash`
	}
	os.Setenv("PATH", nodePath)
	os.Setenv("HOME", "/root")
	os.Setenv("HOSTNAME", o.node)
	os.Unsetenv("KUBEDRILL_NODE_ROOT")
	if o.kubeconfig != "" {
		os.Setenv("KUBEDRILL_KUBECONFIG", nodeKubeconfig)
	}
	program, err := exec.LookPath(argv[0])
	if err != nil {
		// The command's own failure, not the namespace's: say it as a shell would.
		fmt.Fprintf(os.Stderr, "%s: command not found\n", argv[0])
		report.Close()
		return 127
	}
	report.Close()
	err = syscall.Exec(program, argv, os.Environ())
	fmt.Fprintf(os.Stderr, "%s: %v\n", argv[0], err)
	return 126
}

// buildNodeRoot fills a tmpfs at newRoot with the host's tree, bind-mounted entry by
// entry, except where the node owns the path: there the node's folder is mounted.
// Folders that only lead to node paths (/etc, /usr/local/bin) are rebuilt in the tmpfs
// so the host's own folders stay untouched (an unprivileged user cannot create
// /etc/kubernetes on the host, and must not).
func buildNodeRoot(o nodeShellOptions, newRoot, self string) error {
	// Our mounts must not reach the host's mount namespace.
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("making mounts private: %w", err)
	}
	if err := syscall.Mount("tmpfs", newRoot, "tmpfs", 0, "mode=0755"); err != nil {
		return fmt.Errorf("mounting a tmpfs: %w", err)
	}
	mounts := map[string]string{} // path in the node → host source
	for _, path := range nodeOwned {
		source := filepath.Join(o.root, path)
		if err := os.MkdirAll(source, 0o755); err != nil {
			return err
		}
		mounts[path] = source
	}
	for _, tool := range append([]string{"kubedrill-node"}, nodeTools...) {
		mounts[filepath.Join(nodeToolsDir, tool)] = self
	}
	if o.kubeconfig != "" {
		mounts[nodeKubeconfig] = o.kubeconfig
	}
	mounts["/run"] = "" // a fresh /run, as a container has
	if err := graft("/", newRoot, mounts); err != nil {
		return err
	}
	paths := make([]string, 0, len(mounts))
	for path := range mounts {
		paths = append(paths, path)
	}
	sort.Strings(paths) // parents before children
	for _, path := range paths {
		if err := mountAt(mounts[path], filepath.Join(newRoot, path)); err != nil {
			return fmt.Errorf("mounting %s: %w", path, err)
		}
	}
	return os.WriteFile(filepath.Join(newRoot, "etc/hostname"), []byte(o.node+"\n"), 0o644)
}

// graft reproduces hostDir's entries in newDir: a folder that leads to a mount is
// recreated and walked, a symlink is copied, anything else is bind-mounted.
func graft(hostDir, newDir string, mounts map[string]string) error {
	entries, err := os.ReadDir(hostDir)
	if err != nil {
		return err
	}
	for _, entry := range entries {
		host := filepath.Join(hostDir, entry.Name())
		target := filepath.Join(newDir, entry.Name())
		if _, mounted := mounts[host]; mounted || host == "/etc/hostname" {
			continue
		}
		if entry.Type()&os.ModeSymlink != 0 {
			if link, err := os.Readlink(host); err == nil {
				_ = os.Symlink(link, target)
			}
			continue
		}
		if entry.IsDir() && leadsToMount(host, mounts) {
			if err := os.Mkdir(target, 0o755); err != nil {
				return err
			}
			if err := graft(host, target, mounts); err != nil {
				return err
			}
			continue
		}
		// Unreadable or special entries are left out rather than failing the shell.
		_ = mountAt(host, target)
	}
	return nil
}

func leadsToMount(dir string, mounts map[string]string) bool {
	for path := range mounts {
		if strings.HasPrefix(path, dir+"/") {
			return true
		}
	}
	return false
}

// mountAt bind-mounts source (a folder or a file) at target, creating the mount point;
// an empty source makes an empty folder.
func mountAt(source, target string) error {
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	if source == "" {
		return os.MkdirAll(target, 0o755)
	}
	info, err := os.Stat(source)
	if err != nil {
		return err
	}
	if info.IsDir() {
		err = os.MkdirAll(target, 0o755)
	} else {
		var f *os.File
		if f, err = os.OpenFile(target, os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			f.Close()
		}
	}
	if err != nil {
		return err
	}
	return syscall.Mount(source, target, "", syscall.MS_BIND|syscall.MS_REC, "")
}
