package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
	listersv1 "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"kubedrill.dev/local-cluster/podstart"
	"kubedrill.dev/local-cluster/stages"
)

// A container named in this annotation's key cannot start: its executable is not in
// its image. The value is runc's error as a kubelet reports it; the Stages in
// stages/pod-crash.yaml make the container StartError, then RunContainerError and
// CrashLoopBackOff from it.
const startErrorPrefix = "kubedrill.dev/start-error."

// runStartErrors decides for each pod on a simulated node, as soon as it is bound
// (before kwok starts it), which of its containers runc would fail to start, and
// keeps the marks right when an image changes. Each failed start gets the kubelet's
// Failed event.
func runStartErrors(ctx context.Context, client kubernetes.Interface, podInformer cache.SharedIndexInformer, pods listersv1.PodLister, events *kubeletEvents, nodesDir string) {
	catalog, err := podstart.ParseCatalog(stages.Executables)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kubelet: stages/executables.yaml:", err)
		return
	}
	reported := map[string]bool{} // failed starts that have their event: <pod uid>/<container>/<finishedAt>
	onEveryPodChange(ctx, podInformer, func() {
		all, _ := pods.List(labels.Everything())
		live := map[string]bool{}
		for _, pod := range all {
			if !onSimulatedNode(pod, nodesDir) {
				continue
			}
			if marks := startErrorMarks(pod, catalog); len(marks) > 0 {
				annotatePod(ctx, client, pod, marks)
			}
			for _, status := range pod.Status.ContainerStatuses {
				failed := failedStart(status)
				if failed == nil {
					continue
				}
				key := fmt.Sprintf("%s/%s/%s", pod.UID, status.Name, failed.FinishedAt.UTC().Format(time.RFC3339Nano))
				live[key] = true
				if !reported[key] {
					reported[key] = true
					events.container(pod, status.Name, corev1.EventTypeWarning, "Failed", "Error: "+failed.Message)
				}
			}
		}
		forgetUnseen(reported, live)
	})
}

// startErrorMarks is the annotation patch that makes the pod's marks say what the
// catalog decides for its containers now: nil when they already do.
func startErrorMarks(pod *corev1.Pod, catalog podstart.Catalog) map[string]any {
	patch := map[string]any{}
	want := map[string]bool{}
	for _, c := range pod.Spec.Containers {
		key := startErrorPrefix + c.Name
		if message := catalog.StartError(c); message != "" {
			want[key] = true
			if pod.Annotations[key] != message {
				patch[key] = message
			}
		}
	}
	for key := range pod.Annotations {
		if strings.HasPrefix(key, startErrorPrefix) && !want[key] {
			patch[key] = nil
		}
	}
	if len(patch) == 0 {
		return nil
	}
	return patch
}

// failedStart is the StartError a container status shows: its last state while it
// waits to start again, its state when it is not restarted.
func failedStart(status corev1.ContainerStatus) *corev1.ContainerStateTerminated {
	for _, terminated := range []*corev1.ContainerStateTerminated{status.State.Terminated, status.LastTerminationState.Terminated} {
		if terminated != nil && terminated.Reason == "StartError" {
			return terminated
		}
	}
	return nil
}
