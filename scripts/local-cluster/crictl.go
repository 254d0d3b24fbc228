package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/docker/go-units"
	"github.com/spf13/pflag"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// crictl on a local node answers from what the kubelet would know: the node's pods
// from the API (there is no container runtime) and container logs from the files a
// kubelet keeps, /var/log/pods/<namespace>_<pod>_<uid>/<container>/<attempt>.log.
// Ids are stable hashes of the pod's uid, the container's name and its attempt.

type criContainer struct {
	pod     corev1.Pod
	status  corev1.ContainerStatus
	state   string // Running or Exited
	attempt int32
	created time.Time
}

func (c criContainer) id() string {
	return hashID(fmt.Sprintf("%s/%s/%d", podUID(&c.pod), c.status.Name, c.attempt))
}

func (c criContainer) logPath() string {
	return onNode(containerLogPath(&c.pod, c.status.Name, c.attempt))
}

func hashID(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func runCrictl() int {
	flags := pflag.NewFlagSet("crictl", pflag.ContinueOnError)
	flags.SetInterspersed(true)
	all := flags.BoolP("all", "a", false, "show all containers")
	quiet := flags.BoolP("quiet", "q", false, "only ids")
	name := flags.String("name", "", "filter by name (regular expression)")
	namespace := flags.String("namespace", "", "filter by namespace (regular expression)")
	tail := flags.Int64("tail", -1, "lines of the end of the log")
	follow := flags.BoolP("follow", "f", false, "follow the log")
	flags.StringP("runtime-endpoint", "r", "", "ignored: the node has one runtime")
	flags.StringP("output", "o", "", "ignored")
	if err := flags.Parse(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	args := flags.Args()
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: crictl ps|pods|images|logs|inspect|inspectp|version")
		return 1
	}
	if args[0] == "version" {
		fmt.Print("Version:  0.1.0\nRuntimeName:  containerd\nRuntimeVersion:  v2.1.1\nRuntimeApiVersion:  v1\n")
		return 0
	}
	pods, err := nodePods()
	if err != nil {
		fmt.Fprintf(os.Stderr, "crictl: cannot list this node's pods: %v\n", err)
		return 1
	}
	nameRe, err1 := regexp.Compile(*name)
	nsRe, err2 := regexp.Compile(*namespace)
	if err1 != nil || err2 != nil {
		fmt.Fprintln(os.Stderr, "crictl: --name and --namespace are regular expressions")
		return 1
	}
	var filtered []corev1.Pod
	for _, pod := range pods {
		if nsRe.MatchString(pod.Namespace) && (args[0] == "ps" || nameRe.MatchString(pod.Name)) {
			filtered = append(filtered, pod)
		}
	}
	containers := criContainers(filtered, *all, nameRe)
	out := tabwriter.NewWriter(os.Stdout, 20, 1, 3, ' ', 0)
	defer out.Flush()
	switch args[0] {
	case "ps":
		return crictlPs(out, containers, *quiet)
	case "pods":
		return crictlPods(out, filtered, *quiet)
	case "images", "img":
		return crictlImages(out, pods, *quiet)
	case "logs":
		return crictlLogs(criContainers(pods, true, regexp.MustCompile("")), args[1:], *tail, *follow)
	case "inspect", "inspectp":
		return crictlInspect(args[0], pods, args[1:])
	}
	fmt.Fprintf(os.Stderr, "crictl: no command %q here (ps, pods, images, logs, inspect, inspectp, version)\n", args[0])
	return 1
}

// nodePods lists the pods bound to this node, with the kubeconfig the node shell
// offers or, as the kubelet has it, /etc/kubernetes/kubelet.conf.
func nodePods() ([]corev1.Pod, error) {
	kubeconfig := os.Getenv("KUBEDRILL_KUBECONFIG")
	if kubeconfig == "" {
		kubeconfig = onNode("/etc/kubernetes/kubelet.conf")
	}
	config, err := clientConfig(kubeconfig)
	if err != nil {
		return nil, err
	}
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	list, err := client.CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=" + nodeName()})
	if err != nil {
		return nil, err
	}
	return list.Items, nil
}

// criContainers are the containers a runtime would hold: running ones, and with all
// the exited ones, including a restarted container's previous attempt.
func criContainers(pods []corev1.Pod, all bool, name *regexp.Regexp) []criContainer {
	var out []criContainer
	for _, pod := range pods {
		for _, status := range allStatuses(pod) {
			if !name.MatchString(status.Name) {
				continue
			}
			c := criContainer{pod: pod, status: status, attempt: status.RestartCount}
			switch {
			case status.State.Running != nil:
				c.state, c.created = "Running", status.State.Running.StartedAt.Time
			case status.State.Terminated != nil:
				c.state, c.created = "Exited", status.State.Terminated.StartedAt.Time
			case status.LastTerminationState.Terminated != nil:
				c.state, c.created, c.attempt = "Exited", status.LastTerminationState.Terminated.StartedAt.Time, status.RestartCount-1
			default:
				continue // never created: an image that was not pulled
			}
			if c.state == "Running" || all {
				out = append(out, c)
			}
		}
	}
	return out
}

func allStatuses(pod corev1.Pod) []corev1.ContainerStatus {
	return append(append([]corev1.ContainerStatus{}, pod.Status.InitContainerStatuses...), pod.Status.ContainerStatuses...)
}

func created(t time.Time) string {
	return units.HumanDuration(time.Since(t)) + " ago"
}

func crictlPs(out *tabwriter.Writer, containers []criContainer, quiet bool) int {
	if !quiet {
		fmt.Fprintln(out, "CONTAINER\tIMAGE\tCREATED\tSTATE\tNAME\tATTEMPT\tPOD ID\tPOD\tNAMESPACE")
	}
	for _, c := range containers {
		if quiet {
			fmt.Fprintln(out, c.id())
			continue
		}
		fmt.Fprintf(out, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", c.id()[:13], hashID(c.status.Image)[:13], created(c.created),
			c.state, c.status.Name, c.attempt, hashID(string(podUID(&c.pod)))[:13], c.pod.Name, c.pod.Namespace)
	}
	return 0
}

func crictlPods(out *tabwriter.Writer, pods []corev1.Pod, quiet bool) int {
	if !quiet {
		fmt.Fprintln(out, "POD ID\tCREATED\tSTATE\tNAME\tNAMESPACE\tATTEMPT\tRUNTIME")
	}
	for _, pod := range pods {
		if quiet {
			fmt.Fprintln(out, hashID(string(podUID(&pod))))
			continue
		}
		state := "NotReady"
		if pod.Status.Phase == corev1.PodRunning {
			state = "Ready"
		}
		fmt.Fprintf(out, "%s\t%s\t%s\t%s\t%s\t0\t(default)\n", hashID(string(podUID(&pod)))[:13], created(pod.CreationTimestamp.Time), state, pod.Name, pod.Namespace)
	}
	return 0
}

// crictlImages lists the images this node's pods use; a pulled image is one some container runs with.
func crictlImages(out *tabwriter.Writer, pods []corev1.Pod, quiet bool) int {
	seen := map[string]bool{}
	if !quiet {
		fmt.Fprintln(out, "IMAGE\tTAG\tIMAGE ID\tSIZE")
	}
	for _, pod := range pods {
		for _, status := range allStatuses(pod) {
			if status.ImageID == "" || seen[status.Image] {
				continue
			}
			seen[status.Image] = true
			repo, tag := status.Image, "latest"
			if at := strings.LastIndex(repo, ":"); at > strings.LastIndex(repo, "/") {
				repo, tag = repo[:at], repo[at+1:]
			}
			if quiet {
				fmt.Fprintln(out, "sha256:"+hashID(status.Image))
			} else {
				fmt.Fprintf(out, "%s\t%s\t%s\t%s\n", repo, tag, hashID(status.Image)[:13], "-")
			}
		}
	}
	return 0
}

// findContainer takes an id or a unique id prefix, as crictl does.
func findContainer(containers []criContainer, id string) (criContainer, bool) {
	for _, c := range containers {
		if id != "" && strings.HasPrefix(c.id(), id) {
			return c, true
		}
	}
	return criContainer{}, false
}

func crictlLogs(containers []criContainer, args []string, tail int64, follow bool) int {
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: crictl logs [--tail N] [-f] CONTAINER-ID")
		return 1
	}
	c, ok := findContainer(containers, args[0])
	if !ok {
		fmt.Fprintf(os.Stderr, "crictl: container %q not found on this node\n", args[0])
		return 1
	}
	return printCRILog(c.logPath(), tail, follow)
}

func crictlInspect(verb string, pods []corev1.Pod, ids []string) int {
	containers := criContainers(pods, true, regexp.MustCompile(""))
	for _, id := range ids {
		var doc any
		if verb == "inspectp" {
			for _, pod := range pods {
				if strings.HasPrefix(hashID(string(podUID(&pod))), id) {
					doc = map[string]any{"status": map[string]any{"id": hashID(string(podUID(&pod))), "metadata": map[string]any{"name": pod.Name, "namespace": pod.Namespace, "uid": podUID(&pod)}, "state": map[bool]string{true: "SANDBOX_READY", false: "SANDBOX_NOTREADY"}[pod.Status.Phase == corev1.PodRunning], "createdAt": pod.CreationTimestamp, "network": map[string]any{"ip": pod.Status.PodIP}, "labels": pod.Labels, "annotations": pod.Annotations}}
				}
			}
		} else if c, ok := findContainer(containers, id); ok {
			doc = map[string]any{"status": map[string]any{"id": c.id(), "metadata": map[string]any{"name": c.status.Name, "attempt": c.attempt}, "state": "CONTAINER_" + strings.ToUpper(map[string]string{"Running": "running", "Exited": "exited"}[c.state]), "createdAt": c.created, "image": map[string]any{"image": c.status.Image}, "imageRef": c.status.ImageID, "logPath": strings.TrimPrefix(c.logPath(), os.Getenv("KUBEDRILL_NODE_ROOT")), "labels": map[string]string{"io.kubernetes.pod.name": c.pod.Name, "io.kubernetes.pod.namespace": c.pod.Namespace, "io.kubernetes.pod.uid": string(podUID(&c.pod)), "io.kubernetes.container.name": c.status.Name}}}
		}
		if doc == nil {
			fmt.Fprintf(os.Stderr, "crictl: %q not found on this node\n", id)
			return 1
		}
		text, _ := json.MarshalIndent(doc, "", "  ")
		fmt.Println(string(text))
	}
	return 0
}
