package main

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	"kubedrill.dev/local-cluster/staticpod"
	"sigs.k8s.io/yaml"
)

// controlPlaneNode is the node whose kubelet runs the control plane's static pods as
// processes; every other static pod, there and elsewhere, is simulated.
const controlPlaneNode = "kubedrill-control-plane"

// processAnnotation marks a mirror pod whose status is a real process's: kwok's stages
// and the simulated-pod agents leave it alone.
const processAnnotation = "kubedrill.dev/process"

const (
	maxBackoff  = 5 * time.Minute
	firstDelay  = 10 * time.Second
	stopGrace   = 5 * time.Second
	pullBackoff = 2 * time.Second
)

// runKubelet is the nodes' kubelet. On the control-plane node it runs each
// control-plane manifest in the node's staticPodPath as the process it describes,
// restarts it with the kubelet's back-off when it exits, restarts it with the new
// command line when the file changes and stops it when the file goes, writes its
// output where a kubelet keeps container logs, and reports each pod's status as the
// mirror pod's status (once the API server it may itself be running answers) and in
// a status file the CLI reads when the API server does not answer.
func runKubelet() int {
	fs := flag.NewFlagSet("kubelet", flag.ContinueOnError)
	stateRoot := fs.String("root", "", "the cluster's state folder: the components' working folder")
	nodesDir := fs.String("nodes-dir", "", "folder with one root folder per node")
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig for the mirror pods")
	images := fs.String("images", "", "comma-separated images the node can pull")
	kubeletAddress := fs.String("kubelet-address", "", "where to serve the nodes' kubelet API (logs), host:port; none: not served")
	clientCA := fs.String("client-ca", "", "CA of the client certificates the kubelet API accepts")
	if err := fs.Parse(os.Args[1:]); err != nil || *stateRoot == "" || *nodesDir == "" {
		fmt.Fprintln(os.Stderr, "usage: kubedrill-cluster kubelet --root DIR --nodes-dir DIR --kubeconfig FILE --images LIST [--kubelet-address HOST:PORT --client-ca FILE]")
		return 2
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "kubelet:", err)
		return 1
	}
	k := &cpKubelet{
		stateRoot:  *stateRoot,
		nodeRoot:   filepath.Join(*nodesDir, controlPlaneNode),
		self:       self,
		images:     map[string]bool{},
		pods:       map[string]*processPod{},
		exits:      make(chan exitEvent, 64),
		invalid:    map[string]string{},
		statusFile: filepath.Join(*stateRoot, "control-plane.json"),
	}
	for _, image := range strings.Split(*images, ",") {
		k.images[image] = true
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	go runMirrorPods(ctx, k, *kubeconfig)
	// One process does every node's kubelet duties: the other nodes' need the API server this one starts.
	go func() {
		if err := runNodeAgent(ctx, *kubeconfig, *nodesDir, *kubeletAddress, *clientCA); err != nil {
			fmt.Fprintln(os.Stderr, "kubelet:", err)
			os.Exit(1)
		}
	}()
	ticker := time.NewTicker(250 * time.Millisecond)
	defer ticker.Stop()
	for {
		k.sync(ctx)
		select {
		case <-ctx.Done():
			k.stopAll()
			return 0
		case ev := <-k.exits:
			k.mu.Lock()
			k.exited(ev.pod, ev.cmd, ev.code, ev.at)
			k.mu.Unlock()
		case <-ticker.C:
		}
	}
}

type cpKubelet struct {
	mu         sync.Mutex
	stateRoot  string
	nodeRoot   string
	self       string
	images     map[string]bool
	pods       map[string]*processPod // by the manifest's pod name
	invalid    map[string]string      // manifest file → why the kubelet cannot read it
	exits      chan exitEvent
	statusFile string
	lastStatus []byte
}

// processPod is one static pod the kubelet runs as a process.
type processPod struct {
	name, namespace, hash string
	file                  string // the manifest, read again at each start while a file it names is missing
	manifest              []byte
	spec                  *corev1.Pod
	proc                  *staticpod.Process
	failure               *staticpod.Error
	seen                  time.Time
	started               bool  // a container has been started at least once
	restarts              int32 // attempt number of the newest start
	cmd                   *exec.Cmd
	done                  chan struct{} // closed when cmd has exited
	startedAt             time.Time
	lastTerm              *corev1.ContainerStateTerminated
	nextStart             time.Time
	backoff               time.Duration // the wait after the next exit
	wait                  time.Duration // the wait after the last exit
	ready                 bool
	readySince            time.Time
	cancelProbe           context.CancelFunc
	logPath               string
}

type exitEvent struct {
	pod  *processPod
	cmd  *exec.Cmd
	code int
	at   time.Time
}

func (p *processPod) mirrorName() string { return p.name + "-" + controlPlaneNode }

// logDir is the pod's folder under the node's /var/log/pods; a static pod's uid is its hash.
func (p *processPod) logDir() string {
	return filepath.Join("/var/log/pods", fmt.Sprintf("%s_%s_%s", p.namespace, p.mirrorName(), p.hash))
}

// scratch is the node folder that stands for the container's own filesystem.
func (p *processPod) scratch() string {
	return filepath.Join("/var/lib/kubedrill/containers", p.namespace+"_"+p.name)
}

func (p *processPod) running() bool { return p.cmd != nil }

// kubeletActive: a stopped kubelet (systemctl stop kubelet) leaves its containers
// running but no longer follows the manifests or restarts anything.
func (k *cpKubelet) kubeletActive() bool {
	content, err := os.ReadFile(filepath.Join(k.nodeRoot, servicesDir, "kubelet.active"))
	return err != nil || strings.TrimSpace(string(content)) == "active"
}

func (k *cpKubelet) sync(ctx context.Context) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if dir := staticPodDir(k.nodeRoot); dir != "" && k.kubeletActive() {
		k.reconcile(ctx, dir)
		now := time.Now()
		for _, p := range k.pods {
			if !p.running() && !now.Before(p.nextStart) {
				k.start(ctx, p, now)
			}
		}
	}
	k.writeStatusFile()
}

type manifestFile struct {
	file string
	data []byte
	hash string
	pod  *corev1.Pod
}

// reconcile makes the set of pods follow the manifests: new files start, changed
// files restart on their new content, removed files stop.
func (k *cpKubelet) reconcile(ctx context.Context, dir string) {
	wanted := map[string]manifestFile{}
	invalid := map[string]string{}
	entries, _ := os.ReadDir(dir)
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, entry := range entries {
		if entry.IsDir() || strings.HasPrefix(entry.Name(), ".") {
			continue
		}
		file := filepath.Join(dir, entry.Name())
		data, err := os.ReadFile(file)
		if err != nil || !staticpod.RunsAsProcess(data) {
			if err == nil && looksLikeControlPlane(entry.Name()) {
				invalid[entry.Name()] = manifestError(file, data)
			}
			continue
		}
		pod, err := parsePod(data)
		if err != nil {
			invalid[entry.Name()] = err.Error()
			continue
		}
		if _, taken := wanted[pod.Name]; !taken {
			sum := sha256.Sum256(data)
			wanted[pod.Name] = manifestFile{file: file, data: data, hash: hex.EncodeToString(sum[:16]), pod: pod}
		}
	}
	for file, why := range invalid {
		if k.invalid[file] != why {
			journalAt(k.nodeRoot, fmt.Sprintf("kubelet[%d]", services["kubelet"].pid),
				klogError(time.Now(), fmt.Sprintf("\"Could not process manifest file\" err=%q path=%q", why, filepath.Join("/etc/kubernetes/manifests", file))))
		}
	}
	k.invalid = invalid
	for name, p := range k.pods {
		if m, ok := wanted[name]; !ok || m.hash != p.hash {
			k.stop(p)
			_ = os.RemoveAll(filepath.Join(k.nodeRoot, p.logDir()))
			delete(k.pods, name)
		}
	}
	for name, m := range wanted {
		if _, ok := k.pods[name]; ok {
			continue
		}
		k.pods[name] = k.newPod(m)
	}
}

// looksLikeControlPlane: a file named after a component that no longer parses is a
// broken component, which `cluster status` should name.
func looksLikeControlPlane(file string) bool {
	return staticpod.Components[strings.TrimSuffix(strings.TrimSuffix(file, ".yaml"), ".yml")]
}

func manifestError(file string, data []byte) string {
	if _, err := parsePod(data); err != nil {
		return err.Error()
	}
	return file + ": not a control-plane pod"
}

func parsePod(data []byte) (*corev1.Pod, error) {
	var pod corev1.Pod
	if err := yaml.Unmarshal(data, &pod); err != nil {
		return nil, fmt.Errorf("couldn't parse as pod(%v), please check config file", err)
	}
	if pod.Kind != "Pod" || pod.Name == "" || len(pod.Spec.Containers) == 0 {
		return nil, fmt.Errorf("invalid pod: kind Pod, metadata.name and one container are required")
	}
	if pod.Namespace == "" {
		pod.Namespace = "kube-system"
	}
	return &pod, nil
}

func (k *cpKubelet) options() staticpod.Options {
	return staticpod.Options{
		Root:       k.nodeRoot,
		ImageKnown: func(image string) bool { return k.images[image] },
		Binaries:   staticpod.Components,
		Exists: func(path string) bool {
			_, err := os.Stat(path)
			return err == nil
		},
	}
}

func (k *cpKubelet) newPod(m manifestFile) *processPod {
	p := &processPod{name: m.pod.Name, namespace: m.pod.Namespace, file: m.file, hash: m.hash, manifest: m.data, spec: m.pod, seen: time.Now()}
	k.translate(p)
	return p
}

// translate turns the pod's manifest into its process, or into why it cannot run.
func (k *cpKubelet) translate(p *processPod) {
	o := k.options()
	o.Scratch = p.scratch()
	proc, err := staticpod.Translate(p.file, p.manifest, o)
	if proc != nil {
		// The kubelet makes the *OrCreate host paths before it starts the container.
		for _, mount := range proc.Mounts {
			host := filepath.Join(k.nodeRoot, mount.HostPath)
			if _, err := os.Stat(host); !mount.Create || err == nil {
				continue
			}
			if mount.File {
				_ = os.MkdirAll(filepath.Dir(host), 0o755)
				_ = os.WriteFile(host, nil, 0o644)
			} else {
				_ = os.MkdirAll(host, 0o755)
			}
		}
		proc, err = staticpod.Translate(p.file, p.manifest, o)
	}
	p.proc, p.failure = proc, nil
	if failure, ok := err.(*staticpod.Error); ok {
		p.failure = failure
	} else if err != nil {
		p.failure = &staticpod.Error{Reason: "RunContainerError", Message: err.Error()}
	}
}

// start starts the pod's container, or plays what a kubelet would do when it cannot:
// an input file the process cannot open is a run that exits at once.
func (k *cpKubelet) start(ctx context.Context, p *processPod, now time.Time) {
	if p.failure != nil && p.failure.Reason == "Error" {
		// Each start runs the component again, which opens its files again: one made
		// since the last run (the CA copied to the name a flag gives) is found.
		k.translate(p)
	}
	if p.failure != nil && p.failure.Reason != "Error" {
		return // it waits (image, mount, config) until the manifest changes
	}
	if p.started {
		p.restarts++
	}
	p.started = true
	p.startedAt = now
	container := p.spec.Spec.Containers[0].Name
	p.logPath = filepath.Join(p.logDir(), container, fmt.Sprintf("%d.log", p.restarts))
	log, err := newCRIWriter(filepath.Join(k.nodeRoot, p.logPath))
	if err != nil {
		fmt.Fprintln(os.Stderr, "kubelet:", err)
		return
	}
	if p.failure != nil {
		log.line("stderr", p.failure.Message)
		log.close()
		k.exited(p, nil, 1, now)
		return
	}
	// Each container starts on a fresh writable layer: nothing it wrote outside its volumes is kept.
	scratch := filepath.Join(k.nodeRoot, p.scratch())
	_ = os.RemoveAll(scratch)
	_ = os.MkdirAll(scratch, 0o700)
	cmd := exec.Command(k.self, append([]string{p.proc.Binary}, p.proc.Args...)...)
	cmd.Dir = k.stateRoot
	cmd.Env = append(os.Environ(), p.proc.Env...)
	cmd.Stdout = log.stream("stdout")
	cmd.Stderr = log.stream("stderr")
	cmd.SysProcAttr = childAttributes()
	if err := cmd.Start(); err != nil {
		log.line("stderr", err.Error())
		log.close()
		k.exited(p, nil, 128, now)
		return
	}
	done := make(chan struct{})
	p.cmd, p.done = cmd, done
	go func() {
		code := exitCode(cmd.Wait()) // 128+N for a process killed by signal N, as a runtime reports it
		log.close()
		close(done)
		k.exits <- exitEvent{pod: p, cmd: cmd, code: code, at: time.Now()}
	}()
	probeCtx, cancel := context.WithCancel(ctx)
	p.cancelProbe = cancel
	go k.probe(probeCtx, p, cmd)
}

// exited records a container's end and when the kubelet will start it again: at once
// the first time, then after 10 s, doubling up to 5 minutes (CrashLoopBackOff); a
// container that ran for 10 minutes starts the count again.
func (k *cpKubelet) exited(p *processPod, cmd *exec.Cmd, code int, at time.Time) {
	if cmd != nil && p.cmd != cmd {
		return // a stopped container of this or an earlier pod
	}
	p.cmd, p.done = nil, nil
	if p.cancelProbe != nil {
		p.cancelProbe()
	}
	p.setReady(false, at)
	reason := "Error"
	if code == 0 {
		reason = "Completed"
	}
	p.lastTerm = &corev1.ContainerStateTerminated{
		ExitCode: int32(code), Reason: reason,
		StartedAt: metaTime(p.startedAt), FinishedAt: metaTime(at),
		ContainerID: containerID(p),
	}
	if at.Sub(p.startedAt) > 2*maxBackoff {
		p.backoff = 0
	}
	p.wait = p.backoff
	p.nextStart = at.Add(p.backoff)
	if p.backoff == 0 {
		p.backoff = firstDelay
	} else {
		p.backoff = min(2*p.backoff, maxBackoff)
	}
}

func (p *processPod) setReady(ready bool, at time.Time) {
	if p.ready != ready {
		p.ready, p.readySince = ready, at
	}
}

// stop ends the pod's process as the kubelet kills a container: SIGTERM, then SIGKILL
// after the grace period, and waits for it to go so its ports are free.
func (k *cpKubelet) stop(p *processPod) {
	if p.cancelProbe != nil {
		p.cancelProbe()
	}
	cmd, done := p.cmd, p.done
	p.cmd, p.done = nil, nil
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(stopGrace):
		_ = cmd.Process.Kill()
		<-done
	}
}

// stopAll stops the components clients first, as `kubeadm reset` would leave them.
func (k *cpKubelet) stopAll() {
	k.mu.Lock()
	defer k.mu.Unlock()
	order := []string{"kube-scheduler", "kube-controller-manager", "kube-apiserver", "etcd"}
	rank := func(name string) int {
		for i, n := range order {
			if n == name {
				return i
			}
		}
		return -1
	}
	pods := make([]*processPod, 0, len(k.pods))
	for _, p := range k.pods {
		pods = append(pods, p)
	}
	sort.Slice(pods, func(i, j int) bool { return rank(pods[i].name) < rank(pods[j].name) })
	for _, p := range pods {
		k.stop(p)
	}
	_ = os.Remove(k.statusFile)
}

// probe runs the container's readiness probe (its startup probe when it has none)
// every second, as the kubelet's prober does after its initial delay: ready after a
// success, not ready again only after failureThreshold failures in a row, each try
// given the probe's timeoutSeconds (a slow answer under load is not a failure).
func (k *cpKubelet) probe(ctx context.Context, p *processPod, cmd *exec.Cmd) {
	c := p.spec.Spec.Containers[0]
	probe := c.ReadinessProbe
	if probe == nil {
		probe = c.StartupProbe
	}
	check := func() bool { return true }
	threshold := int32(3) // the API's default failureThreshold
	if probe != nil && probe.FailureThreshold > 0 {
		threshold = probe.FailureThreshold
	}
	if probe != nil && probe.HTTPGet != nil {
		get := probe.HTTPGet
		host := get.Host
		if host == "" {
			host = "127.0.0.1"
		}
		scheme := strings.ToLower(string(get.Scheme))
		if scheme == "" {
			scheme = "http"
		}
		timeout := time.Second
		if probe.TimeoutSeconds > 0 {
			timeout = time.Duration(probe.TimeoutSeconds) * time.Second
		}
		url := fmt.Sprintf("%s://%s%s", scheme, joinHostPort(host, get.Port.String()), get.Path)
		client := &http.Client{
			Timeout: timeout,
			// The kubelet's prober does not verify the serving certificate.
			Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, //nolint:gosec
		}
		check = func() bool {
			res, err := client.Get(url)
			if err != nil {
				return false
			}
			res.Body.Close()
			return res.StatusCode >= 200 && res.StatusCode < 400
		}
	}
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	ready, failures := false, int32(0)
	for {
		if check() {
			ready, failures = true, 0
		} else if failures++; failures >= threshold {
			ready = false
		}
		k.mu.Lock()
		if p.cmd == cmd {
			p.setReady(ready, time.Now())
		}
		k.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

func joinHostPort(host, port string) string {
	if _, err := strconv.Atoi(port); err != nil {
		port = "0"
	}
	return host + ":" + port
}

// componentStatus is what the CLI reads when the API server does not answer.
type componentStatus struct {
	PID          int    `json:"pid,omitempty"`
	State        string `json:"state"` // running, waiting
	Ready        bool   `json:"ready"`
	Reason       string `json:"reason,omitempty"`
	Message      string `json:"message,omitempty"`
	RestartCount int32  `json:"restartCount"`
	ExitCode     *int32 `json:"exitCode,omitempty"`
	Log          string `json:"log,omitempty"` // on this host
}

func (k *cpKubelet) writeStatusFile() {
	doc := struct {
		Active  bool                       `json:"active"`
		Pods    map[string]componentStatus `json:"pods"`
		Invalid map[string]string          `json:"invalid,omitempty"`
	}{Active: k.kubeletActive(), Pods: map[string]componentStatus{}, Invalid: k.invalid}
	now := time.Now()
	for name, p := range k.pods {
		s := p.containerStatus(now)
		cs := componentStatus{Ready: s.Ready, RestartCount: s.RestartCount}
		if p.logPath != "" {
			cs.Log = filepath.Join(k.nodeRoot, p.logPath)
		}
		switch {
		case s.State.Running != nil:
			cs.State, cs.PID = "running", p.cmd.Process.Pid
		case s.State.Waiting != nil:
			cs.State, cs.Reason, cs.Message = "waiting", s.State.Waiting.Reason, s.State.Waiting.Message
		}
		if t := s.LastTerminationState.Terminated; t != nil {
			cs.ExitCode = &t.ExitCode
		}
		doc.Pods[name] = cs
	}
	data, _ := json.Marshal(doc)
	if string(data) == string(k.lastStatus) {
		return
	}
	tmp := k.statusFile + ".tmp"
	if os.WriteFile(tmp, data, 0o644) == nil && os.Rename(tmp, k.statusFile) == nil {
		k.lastStatus = data
	}
}
