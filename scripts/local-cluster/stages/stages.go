// Package stages holds the data files of the simulated kubelet that the Go binary
// reads itself; the kwok Stage files beside them are rendered by the cluster driver.
package stages

import _ "embed"

// Executables is executables.yaml: which executables the described images have.
//
//go:embed executables.yaml
var Executables []byte
