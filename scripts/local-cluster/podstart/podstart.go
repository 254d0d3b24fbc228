// Package podstart decides, as runc does when it starts a container's process,
// whether the executable a container names is in its image, and says what a kubelet
// reports when it is not. It is pure: which executables an image has comes from the
// catalog (stages/executables.yaml), so table tests need no cluster.
package podstart

import (
	"path"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// Image is what the catalog says about one image.
type Image struct {
	Entrypoint bool                `json:"entrypoint"`
	Path       []string            `json:"path"`
	Files      map[string][]string `json:"files"`
}

// Catalog is the described images by repository.
type Catalog map[string]Image

// ParseCatalog reads executables.yaml.
func ParseCatalog(data []byte) (Catalog, error) {
	var catalog Catalog
	err := yaml.UnmarshalStrict(data, &catalog)
	return catalog, err
}

// What containerd and runc (1.2 and later, as on kind) wrap around exec.LookPath's error.
const (
	errorPrefix = "failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: "
	errorSuffix = ": unknown"
)

// StartError is the message of the container's StartError (the terminated state's
// and the RunContainerError's), "" when its process starts or when the catalog does
// not describe its image.
func (c Catalog) StartError(container corev1.Container) string {
	image, described := c[repository(container.Image)]
	if !described {
		return ""
	}
	executable := ""
	switch {
	case len(container.Command) > 0:
		executable = container.Command[0]
	case image.Entrypoint:
		return "" // args go to the image's own entrypoint, which is there
	case len(container.Args) > 0:
		executable = container.Args[0]
	default:
		return "" // the image's own command
	}
	if problem := image.lookPath(executable); problem != "" {
		return errorPrefix + problem + errorSuffix
	}
	return ""
}

// lookPath is Go's exec.LookPath, which runc runs in the container: its error, or "".
func (image Image) lookPath(executable string) string {
	switch {
	case path.IsAbs(executable):
		if !image.has(path.Dir(executable), path.Base(executable)) {
			return "exec: " + strconv.Quote(executable) + ": stat " + executable + ": no such file or directory"
		}
	case strings.Contains(executable, "/"):
		// Relative to the working directory, which the catalog does not describe.
	default:
		for _, dir := range image.Path {
			if image.has(dir, executable) {
				return ""
			}
		}
		return "exec: " + strconv.Quote(executable) + ": executable file not found in $PATH"
	}
	return ""
}

func (image Image) has(dir, name string) bool {
	for _, file := range image.Files[path.Clean(dir)] {
		if file == name {
			return true
		}
	}
	return false
}

// repository is an image reference without registry defaults, tag or digest, as the
// image catalog names it: docker.io/library/busybox:1.36 is busybox.
func repository(reference string) string {
	name, _, _ := strings.Cut(reference, "@")
	if colon := strings.LastIndex(name, ":"); colon > strings.LastIndex(name, "/") {
		name = name[:colon]
	}
	name = strings.TrimPrefix(name, "docker.io/")
	return strings.TrimPrefix(name, "library/")
}
