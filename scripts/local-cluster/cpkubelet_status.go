package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"
)

// metaTime is a time as the API keeps it (whole seconds), so an unchanged status
// compares equal to what was written before.
func metaTime(t time.Time) metav1.Time { return metav1.NewTime(t.Truncate(time.Second)) }

// podUID is the uid a kubelet knows a pod by: a static pod's is its manifest's hash,
// which its mirror pod carries in an annotation.
func podUID(pod *corev1.Pod) types.UID {
	if hash := pod.Annotations[mirrorAnnotation]; hash != "" {
		return types.UID(hash)
	}
	return pod.UID
}

func containerID(p *processPod) string {
	return "containerd://" + hashID(fmt.Sprintf("%s/%s/%d", p.hash, p.spec.Spec.Containers[0].Name, p.restarts))
}

// containerStatus is the pod's one container as the kubelet reports it.
func (p *processPod) containerStatus(now time.Time) corev1.ContainerStatus {
	c := p.spec.Spec.Containers[0]
	s := corev1.ContainerStatus{Name: c.Name, Image: c.Image, ImageID: c.Image, RestartCount: p.restarts, Ready: p.ready}
	if p.lastTerm != nil {
		s.LastTerminationState.Terminated = p.lastTerm
	}
	switch {
	case p.running():
		s.ContainerID = containerID(p)
		s.Started = ptr.To(true)
		s.State.Running = &corev1.ContainerStateRunning{StartedAt: metaTime(p.startedAt)}
	case p.failure != nil && p.failure.Reason == "ErrImagePull":
		reason, message := "ErrImagePull", p.failure.Message
		if now.Sub(p.seen) > pullBackoff {
			reason, message = "ImagePullBackOff", fmt.Sprintf("Back-off pulling image %q", c.Image)
		}
		s.State.Waiting = &corev1.ContainerStateWaiting{Reason: reason, Message: message}
	case p.failure != nil && p.failure.Reason == "FailedMount":
		s.State.Waiting = &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}
	case p.failure != nil && p.failure.Reason != "Error":
		s.State.Waiting = &corev1.ContainerStateWaiting{Reason: p.failure.Reason, Message: p.failure.Message}
	case p.lastTerm != nil && now.Before(p.nextStart):
		s.Started = ptr.To(false)
		s.State.Waiting = &corev1.ContainerStateWaiting{
			Reason: "CrashLoopBackOff",
			Message: fmt.Sprintf("back-off %s restarting failed container=%s pod=%s_%s(%s)",
				p.wait, c.Name, p.mirrorName(), p.namespace, p.hash),
		}
	case p.lastTerm != nil:
		// Exited, and not started again: the kubelet is stopped, or is about to.
		s.Started = ptr.To(false)
		s.State.Terminated = p.lastTerm
		s.LastTerminationState.Terminated = nil
	default:
		s.State.Waiting = &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}
	}
	return s
}

// podStatus is the mirror pod's status: phase, conditions and the container's status.
func (p *processPod) podStatus(hostIP string, qos corev1.PodQOSClass, now time.Time) corev1.PodStatus {
	cs := p.containerStatus(now)
	seen := metaTime(p.seen)
	condition := func(t corev1.PodConditionType, ok bool, since metav1.Time) corev1.PodCondition {
		status := corev1.ConditionFalse
		if ok {
			status = corev1.ConditionTrue
		}
		return corev1.PodCondition{Type: t, Status: status, LastTransitionTime: since}
	}
	readySince := seen
	if !p.readySince.IsZero() {
		readySince = metaTime(p.readySince)
	}
	phase := corev1.PodPending
	if p.started {
		phase = corev1.PodRunning
	}
	status := corev1.PodStatus{
		Phase: phase,
		Conditions: []corev1.PodCondition{
			condition(corev1.PodReadyToStartContainers, p.started, seen),
			condition(corev1.PodInitialized, true, seen),
			condition(corev1.PodReady, p.ready, readySince),
			condition(corev1.ContainersReady, p.ready, readySince),
			condition(corev1.PodScheduled, true, seen),
		},
		HostIP:            hostIP,
		HostIPs:           []corev1.HostIP{{IP: hostIP}},
		PodIP:             hostIP,
		PodIPs:            []corev1.PodIP{{IP: hostIP}},
		StartTime:         &seen,
		ContainerStatuses: []corev1.ContainerStatus{cs},
		QOSClass:          qos,
	}
	if !p.ready {
		status.Conditions[2].Reason = "ContainersNotReady"
		status.Conditions[2].Message = fmt.Sprintf("containers with unready status: [%s]", cs.Name)
		status.Conditions[3].Reason, status.Conditions[3].Message = status.Conditions[2].Reason, status.Conditions[2].Message
	}
	return status
}

// runMirrorPods keeps, for every pod the kubelet runs, a mirror pod in the API with
// the process's status, as a kubelet does once its API server answers; mirror pods
// of manifests that are gone or changed are deleted (a changed one is recreated).
func runMirrorPods(ctx context.Context, k *cpKubelet, kubeconfig string) {
	var client kubernetes.Interface
	announced := map[string]bool{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(500 * time.Millisecond):
		}
		if client == nil {
			config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
			if err != nil {
				continue
			}
			config.Timeout = 5 * time.Second
			client = kubernetes.NewForConfigOrDie(config)
		}
		syncMirrorPods(ctx, k, client, announced)
	}
}

func syncMirrorPods(ctx context.Context, k *cpKubelet, client kubernetes.Interface, announced map[string]bool) {
	if !k.kubeletActive() {
		return // a stopped kubelet reports nothing
	}
	node, err := client.CoreV1().Nodes().Get(ctx, controlPlaneNode, metav1.GetOptions{})
	if err != nil {
		return // the API server is down, or the node is not registered yet
	}
	hostIP := node.Annotations["kubedrill.dev/internal-ip"]
	list, err := client.CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("spec.nodeName", controlPlaneNode).String()})
	if err != nil {
		return
	}
	existing := map[string]*corev1.Pod{}
	for i := range list.Items {
		pod := &list.Items[i]
		if pod.Annotations[processAnnotation] != "" {
			existing[pod.Namespace+"/"+pod.Name] = pod
		}
	}
	type want struct {
		pod    *corev1.Pod
		status func(qos corev1.PodQOSClass) corev1.PodStatus
		event  *mirrorEvent
	}
	k.mu.Lock()
	now := time.Now()
	var wanted []want
	for _, p := range k.pods {
		mirror, err := mirrorPodFromData(p.manifest, node, false)
		if err != nil {
			continue
		}
		mirror.Annotations[processAnnotation] = "true"
		p := p
		w := want{pod: mirror, status: func(qos corev1.PodQOSClass) corev1.PodStatus {
			k.mu.Lock()
			defer k.mu.Unlock()
			return p.podStatus(hostIP, qos, now)
		}}
		if p.failure != nil && p.failure.Reason == "FailedMount" {
			w.event = &mirrorEvent{reason: "FailedMount", message: p.failure.Message, key: p.hash}
		}
		wanted = append(wanted, w)
	}
	k.mu.Unlock()
	for _, w := range wanted {
		key := w.pod.Namespace + "/" + w.pod.Name
		current, found := existing[key]
		delete(existing, key)
		switch {
		case !found:
			created, err := client.CoreV1().Pods(w.pod.Namespace).Create(ctx, w.pod, metav1.CreateOptions{})
			if err != nil {
				if !apierrors.IsAlreadyExists(err) {
					fmt.Fprintf(os.Stderr, "kubelet: create mirror pod %s: %v\n", key, err)
				}
				continue
			}
			// At once, not on the next pass: a mirror pod without status reads as Pending.
			created.Status = w.status(created.Status.QOSClass)
			if _, err := client.CoreV1().Pods(created.Namespace).UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil && !apierrors.IsConflict(err) {
				fmt.Fprintf(os.Stderr, "kubelet: status of %s: %v\n", key, err)
			}
		case current.Annotations[mirrorAnnotation] != w.pod.Annotations[mirrorAnnotation]:
			deleteMirrorPod(ctx, client, current)
		case current.DeletionTimestamp != nil:
			deleteMirrorPod(ctx, client, current)
		default:
			status := w.status(current.Status.QOSClass)
			if !apiequality.Semantic.DeepEqual(status, current.Status) {
				updated := current.DeepCopy()
				updated.Status = status
				if _, err := client.CoreV1().Pods(current.Namespace).UpdateStatus(ctx, updated, metav1.UpdateOptions{}); err != nil && !apierrors.IsConflict(err) {
					fmt.Fprintf(os.Stderr, "kubelet: status of %s: %v\n", key, err)
				}
			}
			if w.event != nil && !announced[w.event.key] {
				announced[w.event.key] = true
				postEvent(ctx, client, current, corev1.EventTypeWarning, w.event.reason, w.event.message)
			}
		}
	}
	for _, stale := range existing {
		deleteMirrorPod(ctx, client, stale)
	}
}

type mirrorEvent struct{ reason, message, key string }

// deleteMirrorPod deletes at once, as the kubelet deletes a mirror pod (grace 0).
func deleteMirrorPod(ctx context.Context, client kubernetes.Interface, pod *corev1.Pod) {
	err := client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
		GracePeriodSeconds: ptr.To[int64](0),
		Preconditions:      &metav1.Preconditions{UID: &pod.UID},
	})
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		fmt.Fprintf(os.Stderr, "kubelet: delete mirror pod %s/%s: %v\n", pod.Namespace, pod.Name, err)
	}
}

func postEvent(ctx context.Context, client kubernetes.Interface, pod *corev1.Pod, kind, reason, message string) {
	now := metav1.Now()
	_, _ = client.CoreV1().Events(pod.Namespace).Create(ctx, &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{GenerateName: pod.Name + ".", Namespace: pod.Namespace},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID, APIVersion: "v1"},
		Reason:         reason, Message: message, Type: kind,
		Source:         corev1.EventSource{Component: "kubelet", Host: controlPlaneNode},
		FirstTimestamp: now, LastTimestamp: now, Count: 1,
	}, metav1.CreateOptions{})
}

// criWriter writes a container's output as a kubelet's CRI log file: one line per
// line of output, timestamped, with its stream.
type criWriter struct {
	mu   sync.Mutex
	file *os.File
}

func newCRIWriter(path string) (*criWriter, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	file, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	return &criWriter{file: file}, nil
}

func (w *criWriter) line(stream, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	fmt.Fprintf(w.file, "%s %s F %s\n", time.Now().UTC().Format(time.RFC3339Nano), stream, text)
}

func (w *criWriter) close() { _ = w.file.Close() }

func (w *criWriter) stream(name string) *criStream { return &criStream{w: w, name: name} }

// criStream splits one stream's writes into lines; a line still open at exit is lost,
// as a partial line is only logged when its container writes the newline.
type criStream struct {
	w       *criWriter
	name    string
	pending []byte
}

func (s *criStream) Write(b []byte) (int, error) {
	s.pending = append(s.pending, b...)
	for {
		i := strings.IndexByte(string(s.pending), '\n')
		if i < 0 {
			return len(b), nil
		}
		s.w.line(s.name, string(s.pending[:i]))
		s.pending = s.pending[i+1:]
	}
}
