package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	listersv1 "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/clientcmd"
	"kubedrill.dev/local-cluster/staticpod"
	"sigs.k8s.io/yaml"
)

// The annotations a kubelet puts on the mirror pod of a static pod.
const (
	mirrorAnnotation = "kubernetes.io/config.mirror"
	hashAnnotation   = "kubernetes.io/config.hash"
	sourceAnnotation = "kubernetes.io/config.source"
	seenAnnotation   = "kubernetes.io/config.seen"
)

// runNodeAgent does the kubelet duties kwok lacks, for every simulated node, once the
// API server answers: mirror pods for each node's static pods (every manifest in its
// staticPodPath, read from its /var/lib/kubelet/config.yaml, that the control-plane
// kubelet does not run as a process), node health from its kubelet service, volumes,
// logs and the nodes' kubelet API. It returns when ctx ends.
func runNodeAgent(ctx context.Context, kubeconfig, nodesDir, kubeletAddress, clientCA string) error {
	config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return err
	}
	client := kubernetes.NewForConfigOrDie(config)
	factory := informers.NewSharedInformerFactory(client, 0)
	pods := factory.Core().V1().Pods().Lister()
	nodes := factory.Core().V1().Nodes().Lister()
	services := factory.Core().V1().Services().Lister()
	configMaps := factory.Core().V1().ConfigMaps().Lister()
	secrets := factory.Core().V1().Secrets().Lister()
	factory.Start(ctx.Done())
	factory.WaitForCacheSync(ctx.Done())

	agent := &staticPodAgent{client: client, pods: pods, nodes: nodes, nodesDir: nodesDir}
	go runNodeHealth(ctx, client, nodesDir, nodes, pods)
	go runLocalPathProvisioner(ctx, client, nodesDir)
	go runLoadBalancerIPs(ctx, client, services)
	go runPodLogs(ctx, pods, nodesDir)
	go runCoreDNSStarts(ctx, client, factory.Core().V1().Pods().Informer(), pods, configMaps, nodesDir)
	events := newKubeletEvents(ctx, client)
	go runConfigErrors(ctx, client, factory.Core().V1().Pods().Informer(), pods, configMaps, secrets, events, nodesDir)
	go runStartErrors(ctx, client, factory.Core().V1().Pods().Informer(), pods, events, nodesDir)
	if kubeletAddress != "" {
		go func() {
			if err := serveKubeletAPI(ctx, kubeletAddress, clientCA, pods, nodes, nodesDir); err != nil {
				fmt.Fprintln(os.Stderr, "kubelet API:", err)
				os.Exit(1)
			}
		}()
	}
	ticker := time.NewTicker(500 * time.Millisecond)
	defer ticker.Stop()
	for {
		agent.syncAll(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
	}
}

type staticPodAgent struct {
	client   kubernetes.Interface
	pods     listersv1.PodLister
	nodes    listersv1.NodeLister
	nodesDir string
}

func (a *staticPodAgent) syncAll(ctx context.Context) {
	entries, err := os.ReadDir(a.nodesDir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "static-pods:", err)
		return
	}
	for _, entry := range entries {
		if entry.IsDir() {
			a.syncNode(ctx, entry.Name())
		}
	}
}

func (a *staticPodAgent) syncNode(ctx context.Context, nodeName string) {
	node, err := a.nodes.Get(nodeName)
	if err != nil {
		return // not registered yet; a later pass picks it up
	}
	if path := resourceMetricsPath(nodeName); node.Annotations[metricsPathAnnotation] != path {
		patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}}}`, metricsPathAnnotation, path)
		if _, err := a.client.CoreV1().Nodes().Patch(ctx, nodeName, types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
			fmt.Fprintf(os.Stderr, "kubelet: annotate node %s: %v\n", nodeName, err)
		}
	}
	root := filepath.Join(a.nodesDir, nodeName)
	wanted := readStaticPods(root, node)

	existing := map[string]*corev1.Pod{}
	all, _ := a.pods.List(labels.Everything())
	for _, pod := range all {
		if pod.Spec.NodeName == nodeName && pod.Annotations[mirrorAnnotation] != "" && pod.Annotations[processAnnotation] == "" {
			existing[pod.Namespace+"/"+pod.Name] = pod
		}
	}
	for key, pod := range wanted {
		current, found := existing[key]
		delete(existing, key)
		if found && current.Annotations[hashAnnotation] == pod.Annotations[hashAnnotation] && current.DeletionTimestamp == nil {
			continue
		}
		// As the kubelet's mirror client does: the old mirror pod goes at once (no grace, this UID
		// only), and the new one comes in the same pass, so the pod is missing only for a moment.
		if found && !a.deletePod(ctx, current) {
			continue
		}
		if _, err := a.client.CoreV1().Pods(pod.Namespace).Create(ctx, pod, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			fmt.Fprintf(os.Stderr, "kubelet: create mirror pod %s: %v\n", key, err)
		}
	}
	for _, stale := range existing {
		if stale.DeletionTimestamp == nil {
			a.deletePod(ctx, stale)
		}
	}
}

// deletePod removes a mirror pod with no grace period and reports whether it is gone.
func (a *staticPodAgent) deletePod(ctx context.Context, pod *corev1.Pod) bool {
	noGrace := int64(0)
	err := a.client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
		GracePeriodSeconds: &noGrace,
		Preconditions:      &metav1.Preconditions{UID: &pod.UID},
	})
	if err != nil && !apierrors.IsNotFound(err) {
		fmt.Fprintf(os.Stderr, "kubelet: delete mirror pod %s/%s: %v\n", pod.Namespace, pod.Name, err)
		return false
	}
	return true
}

// kubeletConfig holds the one field of /var/lib/kubelet/config.yaml this agent reads.
type kubeletConfig struct {
	StaticPodPath string `json:"staticPodPath"`
}

func staticPodDir(root string) string {
	data, err := os.ReadFile(filepath.Join(root, "var/lib/kubelet/config.yaml"))
	if err != nil {
		return ""
	}
	var config kubeletConfig
	if yaml.Unmarshal(data, &config) != nil || config.StaticPodPath == "" {
		return ""
	}
	return filepath.Join(root, config.StaticPodPath)
}

// readStaticPods turns every manifest in the node's staticPodPath into the mirror
// pod a kubelet would create for it, keyed by namespace/name.
func readStaticPods(root string, node *corev1.Node) map[string]*corev1.Pod {
	wanted := map[string]*corev1.Pod{}
	dir := staticPodDir(root)
	if dir == "" {
		return wanted
	}
	files, err := os.ReadDir(dir)
	if err != nil {
		return wanted
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name() < files[j].Name() })
	for _, file := range files {
		name := file.Name()
		// The kubelet ignores dotfiles; editors leave them behind while saving.
		if file.IsDir() || strings.HasPrefix(name, ".") {
			continue
		}
		pod, err := mirrorPodFromFile(filepath.Join(dir, name), node)
		if errors.Is(err, errRunsAsProcess) {
			continue
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "kubelet: %s: %v\n", filepath.Join(dir, name), err)
			continue
		}
		key := pod.Namespace + "/" + pod.Name
		if _, taken := wanted[key]; !taken {
			wanted[key] = pod
		}
	}
	return wanted
}

func mirrorPodFromFile(path string, node *corev1.Node) (*corev1.Pod, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if node.Name == controlPlaneNode && staticpod.RunsAsProcess(data) {
		return nil, errRunsAsProcess
	}
	return mirrorPodFromData(data, node, true)
}

// errRunsAsProcess: the control-plane node's kubelet keeps this manifest's mirror pod.
var errRunsAsProcess = errors.New("runs as a process")

// mirrorPodFromData is the mirror pod of a manifest; strict rejects unknown fields.
func mirrorPodFromData(data []byte, node *corev1.Node, strict bool) (*corev1.Pod, error) {
	var pod corev1.Pod
	unmarshal := func(data []byte, into any) error { return yaml.Unmarshal(data, into) }
	if strict {
		unmarshal = func(data []byte, into any) error { return yaml.UnmarshalStrict(data, into) }
	}
	if err := unmarshal(data, &pod); err != nil {
		return nil, err
	}
	if pod.Kind != "Pod" || pod.Name == "" {
		return nil, fmt.Errorf("not a Pod manifest with a name")
	}
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:16])
	if pod.Namespace == "" {
		pod.Namespace = metav1.NamespaceDefault
	}
	pod.Name = pod.Name + "-" + node.Name
	if pod.Annotations == nil {
		pod.Annotations = map[string]string{}
	}
	pod.Annotations[mirrorAnnotation] = hash
	pod.Annotations[hashAnnotation] = hash
	pod.Annotations[sourceAnnotation] = "file"
	pod.Annotations[seenAnnotation] = time.Now().UTC().Format(time.RFC3339Nano)
	controller := true
	pod.OwnerReferences = []metav1.OwnerReference{{
		APIVersion: "v1", Kind: "Node", Name: node.Name, UID: node.UID, Controller: &controller,
	}}
	pod.Spec.NodeName = node.Name
	pod.Spec.Tolerations = append(pod.Spec.Tolerations, corev1.Toleration{Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute})
	pod.ResourceVersion = ""
	pod.UID = ""
	pod.Status = corev1.PodStatus{}
	return &pod, nil
}
