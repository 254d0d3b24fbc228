package podstart

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"kubedrill.dev/local-cluster/stages"
)

func TestStartError(t *testing.T) {
	catalog, err := ParseCatalog(stages.Executables)
	if err != nil {
		t.Fatal(err)
	}
	catalog["nginx"] = Image{Entrypoint: true, Path: []string{"/usr/bin"}, Files: map[string][]string{"/usr/bin": {"sh"}}}
	notFound := `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "foo": executable file not found in $PATH: unknown`
	cases := []struct {
		name      string
		container corev1.Container
		want      string
	}{
		{"a command the image lacks", corev1.Container{Image: "busybox:1.36", Command: []string{"foo"}}, notFound},
		{"args name the executable of an image without an entrypoint (kubectl run -- foo)",
			corev1.Container{Image: "docker.io/library/busybox:1.36", Args: []string{"foo", "bar"}}, notFound},
		{"an absolute path is looked up as such",
			corev1.Container{Image: "busybox", Command: []string{"/usr/bin/sleep", "10"}},
			`failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "/usr/bin/sleep": stat /usr/bin/sleep: no such file or directory: unknown`},
		{"an absolute path the image has", corev1.Container{Image: "busybox", Command: []string{"/bin/sleep", "10"}}, ""},
		{"a command the image has, found through PATH", corev1.Container{Image: "busybox:1.36", Command: []string{"sleep", "3600"}}, ""},
		{"a shell script needs only the shell", corev1.Container{Image: "busybox@sha256:" + strings.Repeat("a", 64), Command: []string{"sh", "-c", "foo; bar"}}, ""},
		{"the image's own command", corev1.Container{Image: "busybox"}, ""},
		{"args go to the image's entrypoint", corev1.Container{Image: "nginx:1.27", Args: []string{"foo"}}, ""},
		{"a command in an image with an entrypoint", corev1.Container{Image: "nginx:1.27", Command: []string{"sleep"}},
			strings.Replace(notFound, `"foo"`, `"sleep"`, 1)},
		{"a path relative to the working directory is not decided", corev1.Container{Image: "busybox", Command: []string{"./run.sh"}}, ""},
		{"an image the catalog does not describe starts whatever its command", corev1.Container{Image: "ubuntu:24.04", Command: []string{"foo"}}, ""},
		{"a registry's image of the same name is another image", corev1.Container{Image: "registry.k8s.io/e2e-test-images/busybox:1.36", Command: []string{"foo"}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := catalog.StartError(c.container); got != c.want {
				t.Errorf("StartError() = %q, want %q", got, c.want)
			}
		})
	}
}
