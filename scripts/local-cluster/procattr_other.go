//go:build !linux

package main

import "syscall"

// childAttributes: a component runs in its own process group so a terminal's ^C does not reach it.
func childAttributes() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
