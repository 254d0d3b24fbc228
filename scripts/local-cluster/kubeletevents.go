package main

import (
	"context"
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/record"
)

// kubeletEvents records events as each node's kubelet does: source kubelet, host the node.
type kubeletEvents struct {
	broadcaster record.EventBroadcaster
	mu          sync.Mutex
	recorders   map[string]record.EventRecorder
}

// newKubeletEvents sends events to the API server until ctx ends.
func newKubeletEvents(ctx context.Context, client kubernetes.Interface) *kubeletEvents {
	broadcaster := record.NewBroadcaster(record.WithContext(ctx))
	broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: client.CoreV1().Events("")})
	go func() {
		<-ctx.Done()
		broadcaster.Shutdown()
	}()
	return &kubeletEvents{broadcaster: broadcaster, recorders: map[string]record.EventRecorder{}}
}

func (e *kubeletEvents) recorder(node string) record.EventRecorder {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.recorders[node] == nil {
		e.recorders[node] = e.broadcaster.NewRecorder(scheme.Scheme, corev1.EventSource{Component: "kubelet", Host: node})
	}
	return e.recorders[node]
}

// pod records an event about the pod as a whole.
func (e *kubeletEvents) pod(pod *corev1.Pod, eventType, reason, message string) {
	e.recorder(pod.Spec.NodeName).Event(pod, eventType, reason, message)
}

// container records an event about one of the pod's containers, which the kubelet
// names by its field path.
func (e *kubeletEvents) container(pod *corev1.Pod, container, eventType, reason, message string) {
	ref := &corev1.ObjectReference{
		Kind: "Pod", APIVersion: "v1", Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID,
		ResourceVersion: pod.ResourceVersion, FieldPath: fmt.Sprintf("spec.containers{%s}", container),
	}
	e.recorder(pod.Spec.NodeName).Event(ref, eventType, reason, message)
}
