// Package resourcemetrics is the kubelet's /metrics/resource endpoint for simulated
// nodes: what each running container uses, decided from its pod (a task's annotation,
// else a fraction of its requests), as the counters and gauges metrics-server reads.
package resourcemetrics

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// UsageAnnotation sets what a pod uses in all, split evenly among its running
// containers: "cpu=250m,memory=64Mi" (either part may be left out).
const UsageAnnotation = "kubedrill.dev/usage"

// A container without requests uses about what an idle nginx or busybox does on kind.
var (
	idleCPU    = resource.MustParse("1m")
	idleMemory = resource.MustParse("3Mi")
)

// Usage is what one container uses: CPU in cores, memory in bytes.
type Usage struct {
	CPU    float64
	Memory float64
}

// ParseUsage reads the usage annotation's value.
func ParseUsage(value string) (cpu, memory *resource.Quantity, err error) {
	for _, part := range strings.Split(value, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, amount, found := strings.Cut(part, "=")
		if !found {
			return nil, nil, fmt.Errorf("%q: want cpu=QUANTITY or memory=QUANTITY", part)
		}
		quantity, err := resource.ParseQuantity(strings.TrimSpace(amount))
		if err != nil {
			return nil, nil, fmt.Errorf("%q: %w", part, err)
		}
		switch strings.TrimSpace(name) {
		case "cpu":
			cpu = &quantity
		case "memory":
			memory = &quantity
		default:
			return nil, nil, fmt.Errorf("%q: want cpu or memory", part)
		}
	}
	return cpu, memory, nil
}

// ContainerUsage is what each running container of the pod uses, by name. Without
// the annotation a container uses a tenth of its CPU request and half of its memory
// request, or an idle process's share when it requests nothing.
func ContainerUsage(pod *corev1.Pod, running []string) map[string]Usage {
	usage := map[string]Usage{}
	if len(running) == 0 {
		return usage
	}
	requests := map[string]corev1.ResourceList{}
	for _, c := range append(append([]corev1.Container{}, pod.Spec.InitContainers...), pod.Spec.Containers...) {
		requests[c.Name] = c.Resources.Requests
	}
	cpu, memory, err := ParseUsage(pod.Annotations[UsageAnnotation])
	if err != nil {
		cpu, memory = nil, nil // an unreadable annotation counts as none, as a typo in any other annotation would
	}
	share := float64(len(running))
	for _, name := range running {
		u := Usage{
			CPU:    fraction(requests[name], corev1.ResourceCPU, 0.1, idleCPU),
			Memory: fraction(requests[name], corev1.ResourceMemory, 0.5, idleMemory),
		}
		if cpu != nil {
			u.CPU = cpu.AsApproximateFloat64() / share
		}
		if memory != nil {
			u.Memory = memory.AsApproximateFloat64() / share
		}
		usage[name] = u
	}
	return usage
}

func fraction(requests corev1.ResourceList, name corev1.ResourceName, part float64, idle resource.Quantity) float64 {
	if request, found := requests[name]; found && !request.IsZero() {
		return request.AsApproximateFloat64() * part
	}
	return idle.AsApproximateFloat64()
}

// RunningContainers are the containers a kubelet would report metrics for: app
// containers and native sidecars whose status says running.
func RunningContainers(pod *corev1.Pod) []string {
	var names []string
	for _, statuses := range [][]corev1.ContainerStatus{pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses} {
		for _, s := range statuses {
			if s.State.Running != nil {
				names = append(names, s.Name)
			}
		}
	}
	return names
}
