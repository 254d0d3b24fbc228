package resourcemetrics

import (
	"bytes"
	"errors"
	"io"
	"math"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/textparse"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

var start = time.Date(2026, 12, 6, 6, 0, 0, 0, time.UTC)

func runningPod(name string, annotations map[string]string, containers ...corev1.Container) *corev1.Pod {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop", UID: types.UID("uid-" + name), Annotations: annotations},
		Spec:       corev1.PodSpec{Containers: containers},
		Status:     corev1.PodStatus{Phase: corev1.PodRunning},
	}
	for _, c := range containers {
		pod.Status.ContainerStatuses = append(pod.Status.ContainerStatuses, corev1.ContainerStatus{
			Name:  c.Name,
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(start)}},
		})
	}
	return pod
}

func requesting(name, cpu, memory string) corev1.Container {
	return corev1.Container{Name: name, Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(memory),
	}}}
}

// scrape renders and parses the answer as metrics-server does, by series.
func scrape(t *testing.T, m *Meter, pods []*corev1.Pod, at time.Time) map[string]float64 {
	t.Helper()
	var out bytes.Buffer
	node := Node{Name: "kubedrill-worker", Started: start.Add(-time.Minute), Base: Usage{CPU: 0.02, Memory: 100 << 20}}
	if err := m.Render(&out, node, pods, at); err != nil {
		t.Fatal(err)
	}
	parser, err := textparse.New(out.Bytes(), "text/plain", "", false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	series := map[string]float64{}
	for {
		entry, err := parser.Next()
		if errors.Is(err, io.EOF) {
			return series
		}
		if err != nil {
			t.Fatalf("%v in:\n%s", err, out.String())
		}
		if entry != textparse.EntrySeries {
			continue
		}
		var l labels.Labels
		_, _, value := parser.Series()
		parser.Labels(&l)
		series[l.Get("__name__")+"/"+l.Get("pod")+"/"+l.Get("container")] = value
	}
}

func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func TestDefaultUsageIsAFractionOfRequests(t *testing.T) {
	m := NewMeter()
	pod := runningPod("web", nil, requesting("app", "200m", "128Mi"), corev1.Container{Name: "idle"})
	series := scrape(t, m, []*corev1.Pod{pod}, start.Add(10*time.Second))
	near(t, "app cpu", series["container_cpu_usage_seconds_total/web/app"], 0.02*10)
	near(t, "app memory", series["container_memory_working_set_bytes/web/app"], 64<<20)
	near(t, "idle cpu", series["container_cpu_usage_seconds_total/web/idle"], 0.001*10)
	near(t, "idle memory", series["container_memory_working_set_bytes/web/idle"], 3<<20)
	near(t, "node memory", series["node_memory_working_set_bytes//"], (100<<20)+(64<<20)+(3<<20))
}

func TestAnnotationSetsThePodsTotal(t *testing.T) {
	m := NewMeter()
	pod := runningPod("web", map[string]string{UsageAnnotation: "cpu=0.5, memory=1Gi"}, requesting("app", "200m", "128Mi"), corev1.Container{Name: "log"})
	series := scrape(t, m, []*corev1.Pod{pod}, start.Add(4*time.Second))
	near(t, "app cpu", series["container_cpu_usage_seconds_total/web/app"], 0.25*4)
	near(t, "log memory", series["container_memory_working_set_bytes/web/log"], 512<<20)
	near(t, "start time", series["container_start_time_seconds/web/app"], float64(start.Unix()))
}

func TestCountersGrowAtTheCurrentRate(t *testing.T) {
	m := NewMeter()
	pod := runningPod("web", map[string]string{UsageAnnotation: "cpu=100m"}, corev1.Container{Name: "app"})
	first := scrape(t, m, []*corev1.Pod{pod}, start.Add(10*time.Second))
	pod.Annotations[UsageAnnotation] = "cpu=1"
	second := scrape(t, m, []*corev1.Pod{pod}, start.Add(25*time.Second))
	near(t, "cpu after 10s at 0.1", first["container_cpu_usage_seconds_total/web/app"], 1)
	near(t, "cpu after 15s more at 1", second["container_cpu_usage_seconds_total/web/app"], 16)
	nodeGrowth := second["node_cpu_usage_seconds_total//"] - first["node_cpu_usage_seconds_total//"]
	near(t, "node cpu growth", nodeGrowth, (1+0.02)*15)
}

func TestARestartedContainerStartsANewCounter(t *testing.T) {
	m := NewMeter()
	pod := runningPod("web", map[string]string{UsageAnnotation: "cpu=1"}, corev1.Container{Name: "app"})
	scrape(t, m, []*corev1.Pod{pod}, start.Add(100*time.Second))
	restarted := start.Add(110 * time.Second)
	pod.Status.ContainerStatuses[0].State.Running.StartedAt = metav1.NewTime(restarted)
	series := scrape(t, m, []*corev1.Pod{pod}, restarted.Add(5*time.Second))
	near(t, "cpu of the new run", series["container_cpu_usage_seconds_total/web/app"], 5)
}

func TestOnlyRunningContainersOfRunningPodsCount(t *testing.T) {
	m := NewMeter()
	pending := runningPod("pending", nil, corev1.Container{Name: "app"})
	pending.Status.Phase = corev1.PodPending
	crashing := runningPod("crashing", nil, corev1.Container{Name: "app"})
	crashing.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}
	series := scrape(t, m, []*corev1.Pod{pending, crashing}, start.Add(time.Second))
	for key := range series {
		if key != "node_cpu_usage_seconds_total//" && key != "node_memory_working_set_bytes//" && key != "resource_scrape_error//" {
			t.Errorf("unexpected series %s", key)
		}
	}
}

func TestParseUsageRejectsWhatIsNotAQuantity(t *testing.T) {
	for _, bad := range []string{"cpu", "cpu=lots", "disk=1Gi"} {
		if _, _, err := ParseUsage(bad); err == nil {
			t.Errorf("ParseUsage(%q) gave no error", bad)
		}
	}
}
