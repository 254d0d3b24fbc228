package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	listersv1 "k8s.io/client-go/listers/core/v1"
	"kubedrill.dev/local-cluster/podoutput"
	"kubedrill.dev/local-cluster/staticpod"
)

// The annotation a task's setup uses to seed a container's log: its value's lines are
// written to the container's log each time it starts, after what its command prints.
const seededLogPrefix = "kubedrill.dev/log."

// runPodLogs keeps /var/log/pods in each node's folder as a kubelet keeps it: a file
// per container start, <namespace>_<pod>_<uid>/<container>/<restartCount>.log in the
// CRI format, holding what the container would have printed; a deleted pod's folder
// goes with it.
func runPodLogs(ctx context.Context, pods listersv1.PodLister, nodesDir string) {
	ticker := time.NewTicker(300 * time.Millisecond)
	defer ticker.Stop()
	for {
		writePodLogs(pods, nodesDir)
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

func writePodLogs(pods listersv1.PodLister, nodesDir string) {
	all, err := pods.List(labels.Everything())
	if err != nil {
		return
	}
	live := map[string]bool{}
	for _, pod := range all {
		if pod.Spec.NodeName == "" {
			continue
		}
		live[podLogDir(pod)] = true
		if _, err := os.Stat(filepath.Join(nodesDir, pod.Spec.NodeName)); err != nil || pod.Annotations[processAnnotation] != "" {
			continue
		}
		specs := map[string]corev1.Container{}
		for _, c := range append(append([]corev1.Container{}, pod.Spec.InitContainers...), pod.Spec.Containers...) {
			specs[c.Name] = c
		}
		for _, status := range append(append([]corev1.ContainerStatus{}, pod.Status.InitContainerStatuses...), pod.Status.ContainerStatuses...) {
			started := startedAt(status)
			if started.IsZero() {
				continue
			}
			path := filepath.Join(nodesDir, pod.Spec.NodeName, containerLogPath(pod, status.Name, status.RestartCount))
			if _, err := os.Stat(path); err == nil {
				continue
			}
			lines := podoutput.Simulated(specs[status.Name])
			// A process that cannot load its configuration prints only why; one that
			// could not be started printed nothing.
			_, exits := pod.Annotations[exitAnnotationPrefix+status.Name]
			_, notStarted := pod.Annotations[startErrorPrefix+status.Name]
			if exits || notStarted {
				lines = nil
			}
			if seeded, ok := pod.Annotations[seededLogPrefix+status.Name]; ok {
				lines = append(lines, strings.Split(strings.TrimRight(seeded, "\n"), "\n")...)
			}
			if err := writeCRILog(path, started, lines); err != nil {
				fmt.Fprintln(os.Stderr, "kubelet: log:", err)
			}
		}
	}
	removeGoneLogs(nodesDir, live)
}

func startedAt(status corev1.ContainerStatus) time.Time {
	switch {
	case status.State.Running != nil:
		return status.State.Running.StartedAt.Time
	case status.State.Terminated != nil:
		return status.State.Terminated.StartedAt.Time
	}
	return time.Time{}
}

func writeCRILog(path string, at time.Time, lines []string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	var text strings.Builder
	for i, line := range lines {
		// A millisecond apart, so that --since-time and --timestamps see them in order.
		text.WriteString(criLine(at.Add(time.Duration(i)*time.Millisecond), line))
	}
	return os.WriteFile(path, []byte(text.String()), 0o644)
}

// criLine is one complete stdout line of a CRI log file, as the kubelet reads it.
func criLine(at time.Time, text string) string {
	return fmt.Sprintf("%s stdout F %s\n", at.UTC().Format(time.RFC3339Nano), text)
}

func removeGoneLogs(nodesDir string, live map[string]bool) {
	nodes, _ := os.ReadDir(nodesDir)
	for _, node := range nodes {
		dir := filepath.Join(nodesDir, node.Name(), "var/log/pods")
		entries, _ := os.ReadDir(dir)
		for _, entry := range entries {
			if !live[entry.Name()] && !(node.Name() == controlPlaneNode && isProcessLogDir(entry.Name())) {
				_ = os.RemoveAll(filepath.Join(dir, entry.Name()))
			}
		}
	}
}

// isProcessLogDir: the control-plane kubelet keeps its components' log folders itself,
// also while their mirror pods do not exist yet (the API server is starting).
func isProcessLogDir(dir string) bool {
	namespace, rest, _ := strings.Cut(dir, "_")
	name, _, _ := strings.Cut(rest, "_")
	return namespace == "kube-system" && staticpod.Components[strings.TrimSuffix(name, "-"+controlPlaneNode)]
}
