package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	listersv1 "k8s.io/client-go/listers/core/v1"
	podutil "k8s.io/kubernetes/pkg/api/v1/pod"
	kubeletscheme "k8s.io/kubernetes/pkg/kubelet/apis/config/scheme"
	kubeletcodec "k8s.io/kubernetes/pkg/kubelet/kubeletconfig/util/codec"
	nodeutil "k8s.io/kubernetes/pkg/util/node"
)

// The simulated kubelet of each node lives or dies by the node's own files: the kubelet
// unit's state (systemctl.go) and /var/lib/kubelet/config.yaml. kwok heartbeats the nodes;
// when a node's kubelet is down kwok stops renewing its Lease (see setManaged), and the
// real node-lifecycle controller marks it Ready=Unknown
// and taints it unreachable after its grace period (50 s in 1.33) — as for a real node.
const (
	stoppedHolder     = "kubedrill-kubelet-stopped"
	downAnnotation    = "kubedrill.dev/kubelet-down"
	kubeletConfigPath = "/var/lib/kubelet/config.yaml"
	containerdSocket  = "unix:///run/containerd/containerd.sock"
	// systemd restarts a failed kubelet every 10 s (kubeadm's unit: Restart=always, RestartSec=10).
	restartSec = 10 * time.Second
)

// kubeletRun is what the loop knows of one node's kubelet process.
type kubeletRun struct {
	startedAt time.Time // kubelet.active's modification time when the config was last read
	failed    error     // why the last start exited, nil while it runs
	retryAt   time.Time // when systemd starts a failed kubelet again
	restarts  int
}

// runNodeHealth keeps each node's heartbeat in step with its kubelet. The process starting
// is the nodes booting: a disabled kubelet comes up inactive. A running kubelet reads its
// config when it starts (systemctl start/restart, boot, systemd's auto-restart of a failed
// one); editing the file alone changes nothing until then, as on a real node.
func runNodeHealth(ctx context.Context, client kubernetes.Interface, nodesDir string, nodes listersv1.NodeLister, pods listersv1.PodLister) {
	_, codecs, err := kubeletscheme.NewSchemeAndCodecs(serializer.EnableStrict)
	if err != nil {
		fmt.Fprintln(os.Stderr, "node health:", err)
		return
	}
	boot(nodesDir)
	runs := map[string]*kubeletRun{}
	for {
		entries, _ := os.ReadDir(nodesDir)
		for _, entry := range entries {
			if !entry.IsDir() {
				continue
			}
			root := filepath.Join(nodesDir, entry.Name())
			run := runs[entry.Name()]
			if run == nil {
				run = &kubeletRun{}
				runs[entry.Name()] = run
			}
			up := run.step(root, codecs)
			setManaged(ctx, client, entry.Name(), up)
			if up {
				reportPodsReady(ctx, client, nodes, pods, entry.Name())
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(2 * time.Second):
		}
	}
}

// boot stops the kubelet of every node where it is disabled, as a reboot would.
func boot(nodesDir string) {
	entries, _ := os.ReadDir(nodesDir)
	for _, entry := range entries {
		root := filepath.Join(nodesDir, entry.Name())
		enabled, err := os.ReadFile(filepath.Join(root, servicesDir, "kubelet.enabled"))
		if err == nil && strings.TrimSpace(string(enabled)) == "disabled" {
			_ = os.WriteFile(filepath.Join(root, servicesDir, "kubelet.active"), []byte("inactive\n"), 0o644)
		}
	}
}

// step advances one node's kubelet and says whether it heartbeats.
func (r *kubeletRun) step(root string, codecs *serializer.CodecFactory) bool {
	stateFile := filepath.Join(root, servicesDir, "kubelet.active")
	content, err := os.ReadFile(stateFile)
	if err == nil && strings.TrimSpace(string(content)) != "active" {
		r.failed = nil
		return false
	}
	var started time.Time
	if info, err := os.Stat(stateFile); err == nil {
		started = info.ModTime()
	}
	now := time.Now()
	restarted := !started.Equal(r.startedAt)
	if !restarted && (r.failed == nil || now.Before(r.retryAt)) {
		return r.failed == nil
	}
	if !restarted {
		r.restarts++
		journalAt(root, "systemd[1]",
			fmt.Sprintf("kubelet.service: Scheduled restart job, restart counter is at %d.", r.restarts),
			"Started kubelet.service - kubelet: The Kubernetes Node Agent.")
	} else {
		r.restarts = 0
	}
	r.startedAt = started
	r.failed = checkKubelet(root, codecs)
	if r.failed != nil {
		r.retryAt = now.Add(restartSec)
		journalAt(root, fmt.Sprintf("kubelet[%d]", services["kubelet"].pid),
			klogError(now, fmt.Sprintf("\"command failed\" err=%q", r.failed.Error())))
		journalAt(root, "systemd[1]",
			"kubelet.service: Main process exited, code=exited, status=1/FAILURE",
			"kubelet.service: Failed with result 'exit-code'.")
	}
	return r.failed == nil
}

// checkKubelet fails as the kubelet's startup does, with its error text: the config file
// decoded strictly with the kubelet's own scheme, then the files and socket it names.
func checkKubelet(root string, codecs *serializer.CodecFactory) error {
	loadErr := func(err error) error {
		return fmt.Errorf("failed to load kubelet config file, path: %s, error: %w", kubeletConfigPath, err)
	}
	data, err := os.ReadFile(filepath.Join(root, kubeletConfigPath))
	if err != nil {
		return loadErr(fmt.Errorf("failed to read kubelet config file %q, error: %v", kubeletConfigPath, nodePathError(err, kubeletConfigPath)))
	}
	if len(data) == 0 {
		return loadErr(fmt.Errorf("kubelet config file %q was empty", kubeletConfigPath))
	}
	kc, err := kubeletcodec.DecodeKubeletConfiguration(codecs, data)
	if err != nil {
		return loadErr(err)
	}
	if ca := kc.Authentication.X509.ClientCAFile; ca != "" {
		if _, err := os.Stat(filepath.Join(root, ca)); err != nil {
			return fmt.Errorf("failed to run Kubelet: unable to load client CA file %s: %w", ca, nodePathError(err, ca))
		}
	}
	if endpoint := kc.ContainerRuntimeEndpoint; endpoint != "" && endpoint != containerdSocket {
		socket := strings.TrimPrefix(endpoint, "unix://")
		return fmt.Errorf("failed to run Kubelet: validate service connection: validate CRI v1 runtime API for endpoint %q: rpc error: code = Unavailable desc = connection error: desc = \"transport: Error while dialing: dial unix %s: connect: no such file or directory\"", endpoint, socket)
	}
	return nil
}

// nodePathError says a file error with the path the kubelet would see on the node.
func nodePathError(err error, path string) error {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return fmt.Errorf("%s %s: %w", pathErr.Op, path, pathErr.Err)
	}
	return err
}

// klogError is a line as klog writes an error: E1205 10:31:02.123456     715 run.go:72] message.
func klogError(at time.Time, message string) string {
	return fmt.Sprintf("E%s %7d run.go:72] %s", at.UTC().Format("0102 15:04:05.000000"), services["kubelet"].pid, message)
}

func journalAt(root, identifier string, messages ...string) {
	var text strings.Builder
	for _, message := range messages {
		fmt.Fprintf(&text, "%s %s: %s\n", time.Now().UTC().Format(time.RFC3339Nano), identifier, message)
	}
	_ = os.MkdirAll(filepath.Join(root, journalDir), 0o755)
	f, err := os.OpenFile(filepath.Join(root, journalDir, "kubelet.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = f.WriteString(text.String())
}

// setManaged gives or takes kwok's management of a node through its Lease. kwok (v0.7)
// keeps renewing a node whose annotation stops matching, but it neither renews nor plays
// stages for a node whose unexpired Lease another holder has: the stopped kubelet takes
// it, keeping the last renewTime (no heartbeat), and gives it back by deleting it, which
// kwok recreates within its renew interval and then marks the node Ready.
func setManaged(ctx context.Context, client kubernetes.Interface, name string, up bool) {
	annotate(ctx, client, name, up)
	leases := client.CoordinationV1().Leases(corev1.NamespaceNodeLease)
	lease, err := leases.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return
	}
	ours := lease.Spec.HolderIdentity != nil && *lease.Spec.HolderIdentity == stoppedHolder
	switch {
	case up && ours:
		err = leases.Delete(ctx, name, metav1.DeleteOptions{})
	case !up && !ours:
		holder, forever := stoppedHolder, int32(365*24*3600)
		lease.Spec.HolderIdentity, lease.Spec.LeaseDurationSeconds = &holder, &forever
		_, err = leases.Update(ctx, lease, metav1.UpdateOptions{})
	}
	if err != nil && !apierrors.IsConflict(err) && !apierrors.IsNotFound(err) {
		fmt.Fprintf(os.Stderr, "node health: %s: %v\n", name, err)
	}
}

// annotate marks a node whose kubelet is down: kwok's node stages (stages/node.yaml) skip it,
// so its status gets no heartbeat either.
func annotate(ctx context.Context, client kubernetes.Interface, name string, up bool) {
	node, err := client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return
	}
	_, marked := node.Annotations[downAnnotation]
	if marked != up {
		return
	}
	value := `"true"`
	if up {
		value = "null"
	}
	patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:%s}}}`, downAnnotation, value)
	if _, err := client.CoreV1().Nodes().Patch(ctx, name, types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		fmt.Fprintf(os.Stderr, "node health: %s: %v\n", name, err)
	}
}

// reportPodsReady does what a kubelet back on line does for the pods the node-lifecycle
// controller marked not Ready while its node was NotReady: it reports them Ready again,
// once the node is Ready, for pods whose containers all run and are ready.
func reportPodsReady(ctx context.Context, client kubernetes.Interface, nodes listersv1.NodeLister, pods listersv1.PodLister, name string) {
	node, err := nodes.Get(name)
	if err != nil || !nodeutil.IsNodeReady(node) {
		return
	}
	all, _ := pods.List(labels.Everything())
	for _, pod := range all {
		if pod.Spec.NodeName != name || pod.DeletionTimestamp != nil || pod.Status.Phase != corev1.PodRunning {
			continue
		}
		ready := len(pod.Status.ContainerStatuses) > 0
		for _, c := range pod.Status.ContainerStatuses {
			ready = ready && c.Ready && c.State.Running != nil
		}
		if !ready || podutil.IsPodReady(pod) {
			continue
		}
		updated := pod.DeepCopy()
		now := metav1.Now()
		for i, c := range updated.Status.Conditions {
			if c.Type == corev1.PodReady || c.Type == corev1.ContainersReady {
				updated.Status.Conditions[i].Status = corev1.ConditionTrue
				updated.Status.Conditions[i].Reason = ""
				updated.Status.Conditions[i].LastTransitionTime = now
			}
		}
		if _, err := client.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, updated, metav1.UpdateOptions{}); err != nil && !apierrors.IsConflict(err) {
			fmt.Fprintf(os.Stderr, "node health: %s/%s: %v\n", pod.Namespace, pod.Name, err)
		}
	}
}
