package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	listersv1 "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"kubedrill.dev/local-cluster/corefile"
)

// A container named in this annotation's key exits with the value as its code each
// time it starts (the Stages in stages/pod-crash.yaml read it), as a process does
// whose configuration it cannot load.
const exitAnnotationPrefix = "kubedrill.dev/exit."

// runCoreDNSStarts decides, as CoreDNS does when it starts, whether each CoreDNS
// container can load its Corefile: a new container with a Corefile CoreDNS's parser
// refuses exits with CoreDNS's error in its log, and so crash-loops; a container
// already running keeps serving (CoreDNS's reload plugin keeps the old configuration
// when a new one fails), and a crash-looping one starts once the Corefile is fixed.
// It decides when the pod is created, before it is bound: kwok starts a bound pod
// within a few hundred milliseconds, and a pod it marks Ready before the decision
// would count as a ready endpoint of a broken CoreDNS.
func runCoreDNSStarts(ctx context.Context, client kubernetes.Interface, podInformer cache.SharedIndexInformer, pods listersv1.PodLister, configMaps listersv1.ConfigMapLister, nodesDir string) {
	agentStarted := time.Now()
	decided := map[types.UID]bool{}
	onEveryPodChange(ctx, podInformer, func() {
		all, _ := pods.Pods(metav1.NamespaceSystem).List(labels.Everything())
		seen := map[types.UID]bool{}
		for _, pod := range all {
			seen[pod.UID] = true
			container, conf, configMap := corefileOf(pod)
			if container == "" || pod.DeletionTimestamp != nil {
				continue
			}
			status, _ := containerStatus(pod, container)
			key := exitAnnotationPrefix + container
			_, crashing := pod.Annotations[key]
			switch {
			case crashing && status.State.Waiting != nil:
				// The next start reads the Corefile again.
				if coreDNSError(configMaps, pod.Namespace, configMap, conf) == "" {
					annotatePod(ctx, client, pod, map[string]any{key: nil, seededLogPrefix + container: nil})
				}
			case !decided[pod.UID]:
				decided[pod.UID] = true
				// A container running since before this agent started has loaded its Corefile already.
				if status.State.Running != nil && status.State.Running.StartedAt.Time.Before(agentStarted) {
					continue
				}
				if problem := coreDNSError(configMaps, pod.Namespace, configMap, conf); problem != "" {
					annotatePod(ctx, client, pod, map[string]any{key: "1", seededLogPrefix + container: problem})
					if status.State.Running != nil {
						appendLogLine(filepath.Join(nodesDir, pod.Spec.NodeName, containerLogPath(pod, container, status.RestartCount)), problem)
					}
				}
			}
		}
		forgetUnseen(decided, seen)
	})
}

// corefileOf finds a CoreDNS container and where its Corefile comes from: the path of
// its -conf argument and the ConfigMap mounted over it. "" when the pod runs no CoreDNS.
func corefileOf(pod *corev1.Pod) (container, conf, configMap string) {
	for _, c := range pod.Spec.Containers {
		if !strings.Contains(c.Image, "coredns/coredns") {
			continue
		}
		argv := append(append([]string{}, c.Command...), c.Args...)
		conf = "Corefile"
		for i, arg := range argv {
			if arg == "-conf" && i+1 < len(argv) {
				conf = argv[i+1]
			}
		}
		for _, mount := range c.VolumeMounts {
			if !strings.HasPrefix(conf, strings.TrimSuffix(mount.MountPath, "/")+"/") {
				continue
			}
			for _, volume := range pod.Spec.Volumes {
				if volume.Name == mount.Name && volume.ConfigMap != nil {
					return c.Name, conf, volume.ConfigMap.Name
				}
			}
		}
	}
	return "", "", ""
}

// coreDNSError is what CoreDNS prints when it cannot load the Corefile, "" when it can.
func coreDNSError(configMaps listersv1.ConfigMapLister, namespace, name, conf string) string {
	cm, err := configMaps.ConfigMaps(namespace).Get(name)
	if err != nil {
		return "" // a missing ConfigMap keeps the pod from starting at all, before CoreDNS runs
	}
	text, found := cm.Data[filepath.Base(conf)]
	if !found {
		return fmt.Sprintf("open %s: no such file or directory", conf)
	}
	return corefile.Check(conf, text)
}

func annotatePod(ctx context.Context, client kubernetes.Interface, pod *corev1.Pod, annotations map[string]any) {
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": annotations}})
	_, err := client.CoreV1().Pods(pod.Namespace).Patch(ctx, pod.Name, types.MergePatchType, patch, metav1.PatchOptions{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "kubelet: annotate %s/%s: %v\n", pod.Namespace, pod.Name, err)
	}
}

func appendLogLine(path, line string) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return // not written yet: the log writer includes the seeded line
	}
	defer f.Close()
	_, _ = f.WriteString(criLine(time.Now(), line))
}
