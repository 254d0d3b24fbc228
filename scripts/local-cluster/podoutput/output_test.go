package podoutput

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestSimulated(t *testing.T) {
	cases := []struct {
		name      string
		container corev1.Container
		want      []string
	}{
		{"echo in a shell script, in order, quotes removed",
			corev1.Container{Image: "busybox", Command: []string{"sh", "-c", `echo "starting up"; echo 'ready' && sleep 3600`}},
			[]string{"starting up", "ready"}},
		{"echo -n and a loop body",
			corev1.Container{Image: "busybox", Command: []string{"/bin/sh", "-c", "while true; do echo -n tick; sleep 5; done"}},
			[]string{"tick"}},
		{"printf with %s and newlines",
			corev1.Container{Image: "busybox", Command: []string{"sh"}, Args: []string{"-c", `printf 'user=%s\nid=%d\n' alice 7; exit 1`}},
			[]string{"user=alice", "id=7"}},
		{"echo as the command itself",
			corev1.Container{Image: "busybox", Command: []string{"echo", "hello", "world"}},
			[]string{"hello world"}},
		{"a command that prints nothing",
			corev1.Container{Image: "busybox", Command: []string{"sleep", "3600"}},
			nil},
		{"nginx with its own command prints its start banner",
			corev1.Container{Image: "docker.io/library/nginx:1.27"},
			imageBanners[0].lines},
		{"args alone are the command of an image without an entrypoint (kubectl run -- sh -c)",
			corev1.Container{Image: "busybox:1.36", Args: []string{"sh", "-c", `echo starting; echo "FATAL: no queue"; exit 3`}},
			[]string{"starting", "FATAL: no queue"}},
		{"an image without a known banner prints nothing",
			corev1.Container{Image: "busybox:1.36"},
			nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Simulated(c.container); !reflect.DeepEqual(got, c.want) {
				t.Errorf("Simulated() = %q, want %q", got, c.want)
			}
		})
	}
}
