package main

import "syscall"

// childAttributes: a component dies with the kubelet that started it (as containers do
// not, but a kubelet restarted by `cluster up` starts them again at once), in its own
// process group so a terminal's ^C does not reach it.
func childAttributes() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
