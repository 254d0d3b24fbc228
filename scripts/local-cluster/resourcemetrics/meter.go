package resourcemetrics

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Meter keeps the cumulative CPU counters a kubelet reports: each only grows, at the
// rate its container (or node) uses now, so a changed usage shows in the next window
// as it would on a real node. A restarted container starts a new counter.
type Meter struct {
	mu       sync.Mutex
	counters map[string]map[string]*counter // node → container or node key → counter
}

type counter struct {
	seconds float64
	at      time.Time
}

func NewMeter() *Meter {
	return &Meter{counters: map[string]map[string]*counter{}}
}

// advance moves a counter to now at the given rate; a new one starts as if it had
// run at that rate since it started.
func (m *Meter) advance(seen map[string]*counter, node, key string, rate float64, started, now time.Time) float64 {
	c := m.counters[node][key]
	if c == nil {
		c = &counter{at: started}
	}
	if now.After(c.at) {
		c.seconds += rate * now.Sub(c.at).Seconds()
		c.at = now
	}
	// metrics-server drops a container whose counter is zero; a kubelet's never is.
	if c.seconds <= 0 {
		c.seconds = 1e-6
	}
	seen[key] = c
	return c.seconds
}

// Node is a node's own share, beside its pods': what its kubelet, runtime and system use.
type Node struct {
	Name    string
	Started time.Time
	Base    Usage
}

// Render writes the node's /metrics/resource answer at now, in the Prometheus text
// format and with the metric names a kubelet uses, for the pods running on it.
func (m *Meter) Render(w io.Writer, node Node, pods []*corev1.Pod, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	seen := map[string]*counter{}
	stamp := strconv.FormatInt(now.UnixMilli(), 10)
	sort.Slice(pods, func(i, j int) bool {
		return pods[i].Namespace+"/"+pods[i].Name < pods[j].Namespace+"/"+pods[j].Name
	})
	var cpuLines, memoryLines, startLines []string
	total := node.Base
	for _, pod := range pods {
		if pod.Status.Phase != corev1.PodRunning {
			continue
		}
		usage := ContainerUsage(pod, RunningContainers(pod))
		for _, status := range append(append([]corev1.ContainerStatus{}, pod.Status.InitContainerStatuses...), pod.Status.ContainerStatuses...) {
			u, running := usage[status.Name]
			if !running {
				continue
			}
			started := status.State.Running.StartedAt.Time
			labels := fmt.Sprintf(`{container=%q,namespace=%q,pod=%q}`, status.Name, pod.Namespace, pod.Name)
			key := fmt.Sprintf("%s/%s/%d", pod.UID, status.Name, started.Unix())
			cpu := m.advance(seen, node.Name, key, u.CPU, started, now)
			cpuLines = append(cpuLines, "container_cpu_usage_seconds_total"+labels+" "+number(cpu)+" "+stamp)
			memoryLines = append(memoryLines, "container_memory_working_set_bytes"+labels+" "+number(u.Memory)+" "+stamp)
			startLines = append(startLines, "container_start_time_seconds"+labels+" "+number(float64(started.Unix()))+" "+stamp)
			total.CPU += u.CPU
			total.Memory += u.Memory
		}
	}
	nodeCPU := m.advance(seen, node.Name, "", total.CPU, node.Started, now)
	m.counters[node.Name] = seen
	families := []struct {
		name, kind, help string
		lines            []string
	}{
		{"container_cpu_usage_seconds_total", "counter", "Cumulative cpu time consumed by the container in core-seconds", cpuLines},
		{"container_memory_working_set_bytes", "gauge", "Current working set of the container in bytes", memoryLines},
		{"container_start_time_seconds", "gauge", "Start time of the container since unix epoch in seconds", startLines},
		{"node_cpu_usage_seconds_total", "counter", "Cumulative cpu time consumed by the node in core-seconds", []string{"node_cpu_usage_seconds_total " + number(nodeCPU) + " " + stamp}},
		{"node_memory_working_set_bytes", "gauge", "Current working set of the node in bytes", []string{"node_memory_working_set_bytes " + number(total.Memory) + " " + stamp}},
		{"resource_scrape_error", "gauge", "1 if there was an error while getting container metrics, 0 otherwise", []string{"resource_scrape_error 0"}},
	}
	for _, f := range families {
		if _, err := fmt.Fprintf(w, "# HELP %s [STABLE] %s\n# TYPE %s %s\n", f.name, f.help, f.name, f.kind); err != nil {
			return err
		}
		for _, line := range f.lines {
			if _, err := fmt.Fprintln(w, line); err != nil {
				return err
			}
		}
	}
	return nil
}

func number(v float64) string {
	return strconv.FormatFloat(v, 'g', -1, 64)
}
