//go:build !linux

package main

import (
	"errors"
	"fmt"
	"os"
)

// Namespaces are a Linux feature: elsewhere the node shell is the folder shell.
func enterNode(nodeShellOptions) (int, error) {
	return 0, errors.New("user namespaces exist only on Linux")
}

func runNodeShellInit() int {
	fmt.Fprintln(os.Stderr, "node-shell-init runs only on Linux")
	return 2
}
