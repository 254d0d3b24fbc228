package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	listersv1 "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	"kubedrill.dev/local-cluster/podconfig"
)

// configErrorAnnotation marks a pod whose containers a kubelet could not start: a
// ConfigMap, Secret or key its volumes or environment name is missing. kwok's Stages
// (stages/pod.yaml) leave such a pod alone; the value says why.
const configErrorAnnotation = "kubedrill.dev/config-error"

// runConfigErrors does what a kubelet does before it starts a pod's containers: it
// mounts the ConfigMap and Secret volumes and resolves the environment. What is
// missing keeps the containers from starting, with the kubelet's reason and event
// (FailedMount; CreateContainerConfigError), until the object or key appears. A pod is
// decided when first seen on a node, before kwok starts it; one that already runs
// keeps running, as containers do when their ConfigMap goes away.
func runConfigErrors(ctx context.Context, client kubernetes.Interface, podInformer cache.SharedIndexInformer, pods listersv1.PodLister, configMaps listersv1.ConfigMapLister, secrets listersv1.SecretLister, events *kubeletEvents, nodesDir string) {
	decided := map[types.UID]bool{}
	onEveryPodChange(ctx, podInformer, func() {
		all, _ := pods.List(labels.Everything())
		seen := map[types.UID]bool{}
		for _, pod := range all {
			seen[pod.UID] = true
			_, blocked := pod.Annotations[configErrorAnnotation]
			if !onSimulatedNode(pod, nodesDir) || (decided[pod.UID] && !blocked) {
				continue
			}
			decided[pod.UID] = true
			if !blocked && started(pod) {
				continue
			}
			problem := configProblemOf(pod, configMaps, secrets)
			switch {
			case problem == nil && blocked:
				annotatePod(ctx, client, pod, map[string]any{configErrorAnnotation: nil})
			case problem == nil:
			case pod.Annotations[configErrorAnnotation] != problem.Message:
				annotatePod(ctx, client, pod, map[string]any{configErrorAnnotation: problem.Message})
				if problem.Mount {
					events.pod(pod, corev1.EventTypeWarning, "FailedMount", problem.Message)
				} else {
					events.pod(pod, corev1.EventTypeWarning, "Failed", "Error: "+problem.Message)
				}
				writeBlockedStatus(ctx, client, pod, problem)
			case !showsBlocked(pod, problem):
				// A status kwok wrote before the mark reached it.
				writeBlockedStatus(ctx, client, pod, problem)
			}
		}
		forgetUnseen(decided, seen)
	})
}

// onEveryPodChange runs pass once, then again on every pod added or updated and at
// least every second, until ctx is done.
func onEveryPodChange(ctx context.Context, podInformer cache.SharedIndexInformer, pass func()) {
	wake := make(chan struct{}, 1)
	notify := func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	_, _ = podInformer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { notify() },
		UpdateFunc: func(any, any) { notify() },
	})
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	for {
		pass()
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-ticker.C:
		}
	}
}

// forgetUnseen drops what a pass no longer saw: pods gone, failures replaced.
func forgetUnseen[K comparable](known, seen map[K]bool) {
	for key := range known {
		if !seen[key] {
			delete(known, key)
		}
	}
}

// onSimulatedNode: bound to one of this agent's nodes, not a mirror pod, not finished or going.
func onSimulatedNode(pod *corev1.Pod, nodesDir string) bool {
	if pod.Spec.NodeName == "" || pod.DeletionTimestamp != nil || pod.Annotations[mirrorAnnotation] != "" {
		return false
	}
	if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		return false
	}
	info, err := os.Stat(filepath.Join(nodesDir, pod.Spec.NodeName))
	return err == nil && info.IsDir()
}

// started: a container of the pod has run, so its volumes were mounted and its environment resolved.
func started(pod *corev1.Pod) bool {
	for _, statuses := range [][]corev1.ContainerStatus{pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses} {
		for _, c := range statuses {
			if c.State.Running != nil || c.State.Terminated != nil || c.LastTerminationState.Terminated != nil {
				return true
			}
		}
	}
	return false
}

// configProblemOf asks podconfig with what the cluster has.
func configProblemOf(pod *corev1.Pod, configMaps listersv1.ConfigMapLister, secrets listersv1.SecretLister) *podconfig.Problem {
	return podconfig.Check(pod, podconfig.Lookup{
		ConfigMap: func(ns, name string) podconfig.Keys {
			cm, err := configMaps.ConfigMaps(ns).Get(name)
			if err != nil {
				return nil
			}
			return keysOf(cm.Data, cm.BinaryData)
		},
		Secret: func(ns, name string) podconfig.Keys {
			secret, err := secrets.Secrets(ns).Get(name)
			if err != nil {
				return nil
			}
			return keysOf(secret.Data, secret.StringData)
		},
	})
}

// keysOf is the keys of an object's two data maps (data and binaryData; data and stringData).
func keysOf[A, B any](first map[string]A, second map[string]B) podconfig.Keys {
	keys := podconfig.Keys{}
	for k := range first {
		keys[k] = true
	}
	for k := range second {
		keys[k] = true
	}
	return keys
}

// blockedStatuses are the container statuses a kubelet reports for the problem: every
// container waiting, ContainerCreating behind a failed mount, CreateContainerConfigError
// for the container whose environment cannot be made.
func blockedStatuses(statuses []corev1.ContainerStatus, specs []corev1.Container, problem *podconfig.Problem) []corev1.ContainerStatus {
	out := make([]corev1.ContainerStatus, 0, len(specs))
	for _, spec := range specs {
		status := corev1.ContainerStatus{Name: spec.Name, Image: spec.Image}
		for _, s := range statuses {
			if s.Name == spec.Name {
				status = s
			}
		}
		status.Ready, status.Started = false, ptr.To(false)
		status.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}}
		if !problem.Mount && spec.Name == problem.Container {
			status.State.Waiting = &corev1.ContainerStateWaiting{Reason: "CreateContainerConfigError", Message: problem.Message}
		}
		out = append(out, status)
	}
	return out
}

// showsBlocked: the pod's status already says what blockedStatuses would.
func showsBlocked(pod *corev1.Pod, problem *podconfig.Problem) bool {
	if pod.Status.Phase != corev1.PodPending {
		return false
	}
	want := blockedStatuses(pod.Status.ContainerStatuses, pod.Spec.Containers, problem)
	for i, c := range pod.Status.ContainerStatuses {
		if i >= len(want) || c.State.Waiting == nil || c.State.Waiting.Reason != want[i].State.Waiting.Reason {
			return false
		}
	}
	return len(pod.Status.ContainerStatuses) == len(want)
}

// writeBlockedStatus makes the pod Pending and not Ready, with blockedStatuses.
func writeBlockedStatus(ctx context.Context, client kubernetes.Interface, pod *corev1.Pod, problem *podconfig.Problem) {
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		fresh, err := client.CoreV1().Pods(pod.Namespace).Get(ctx, pod.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		updated := fresh.DeepCopy()
		updated.Status.Phase = corev1.PodPending
		// Container names are unique across init and app containers: the problem names one of them.
		updated.Status.InitContainerStatuses = blockedStatuses(fresh.Status.InitContainerStatuses, fresh.Spec.InitContainers, problem)
		updated.Status.ContainerStatuses = blockedStatuses(fresh.Status.ContainerStatuses, fresh.Spec.Containers, problem)
		now := metav1.Now()
		for i, c := range updated.Status.Conditions {
			if (c.Type == corev1.PodReady || c.Type == corev1.ContainersReady) && c.Status != corev1.ConditionFalse {
				updated.Status.Conditions[i].Status = corev1.ConditionFalse
				updated.Status.Conditions[i].Reason = "ContainersNotReady"
				updated.Status.Conditions[i].LastTransitionTime = now
			}
		}
		_, err = client.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, updated, metav1.UpdateOptions{})
		return err
	})
	if err != nil && !apierrors.IsNotFound(err) {
		fmt.Fprintf(os.Stderr, "kubelet: %s/%s: %v\n", pod.Namespace, pod.Name, err)
	}
}
