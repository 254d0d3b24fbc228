package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/util/flushwriter"
	listersv1 "k8s.io/client-go/listers/core/v1"
	criapi "k8s.io/cri-api/pkg/apis"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	crilogs "k8s.io/cri-client/pkg/logs"
	"kubedrill.dev/local-cluster/resourcemetrics"
)

// The part of a kubelet's API the API server calls for `kubectl logs` and metrics-server
// for resource metrics, served for every simulated node from one port (the nodes'
// kubeletEndpoint). Logs are the files the agent keeps under each node's /var/log/pods,
// read with the kubelet's own CRI log reader, so --tail, --since, --timestamps,
// --limit-bytes, -f and --previous behave as on a real node. exec, attach and
// port-forward answer with why they cannot work here.
type kubeletAPI struct {
	pods     listersv1.PodLister
	nodes    listersv1.NodeLister
	nodesDir string
	meter    *resourcemetrics.Meter
}

func serveKubeletAPI(ctx context.Context, address, caFile string, pods listersv1.PodLister, nodes listersv1.NodeLister, nodesDir string) error {
	certificate, err := selfSignedServing()
	if err != nil {
		return err
	}
	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		return err
	}
	clients := x509.NewCertPool()
	if !clients.AppendCertsFromPEM(caPEM) {
		return fmt.Errorf("%s holds no certificate", caFile)
	}
	api := &kubeletAPI{pods: pods, nodes: nodes, nodesDir: nodesDir, meter: resourcemetrics.NewMeter()}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /containerLogs/{namespace}/{pod}/{container}", api.containerLogs)
	mux.HandleFunc("GET "+resourceMetricsPath("{node}"), api.resourceMetrics)
	for _, path := range []string{"/exec/", "/attach/", "/portForward/", "/run/"} {
		mux.HandleFunc(path, noContainers)
	}
	server := &http.Server{
		Addr:              address,
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		// Only the API server, with the client certificate the cluster CA gave it, may ask.
		TLSConfig: &tls.Config{
			Certificates: []tls.Certificate{certificate},
			ClientAuth:   tls.RequireAndVerifyClientCert,
			ClientCAs:    clients,
			MinVersion:   tls.VersionTLS12,
		},
	}
	go func() {
		<-ctx.Done()
		_ = server.Close()
	}()
	if err := server.ListenAndServeTLS("", ""); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// selfSignedServing makes the serving certificate a kubelet makes for itself when it
// has none (kind's kubelets serve such a one; the API server does not verify it).
func selfSignedServing() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "kubedrill-kubelet@" + fmt.Sprint(time.Now().Unix())},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

func noContainers(w http.ResponseWriter, _ *http.Request) {
	http.Error(w, "the kubedrill local cluster simulates its nodes and runs no containers, so exec, attach and port-forward cannot reach one; a kind cluster can (kubedrill cluster up --driver kind)", http.StatusNotImplemented)
}

var logOptionsCodec = runtime.NewParameterCodec(func() *runtime.Scheme {
	scheme := runtime.NewScheme()
	_ = corev1.AddToScheme(scheme)
	return scheme
}())

func (a *kubeletAPI) containerLogs(w http.ResponseWriter, r *http.Request) {
	namespace, name, container := r.PathValue("namespace"), r.PathValue("pod"), r.PathValue("container")
	query := r.URL.Query()
	// The API server sends tailLines as the kubelet's older "tail" too.
	if tail := query.Get("tail"); tail != "" && tail != "all" {
		query.Set("tailLines", tail)
	}
	query.Del("tail")
	options := &corev1.PodLogOptions{}
	if err := logOptionsCodec.DecodeParameters(url.Values(query), corev1.SchemeGroupVersion, options); err != nil {
		http.Error(w, "unable to decode the log options: "+err.Error(), http.StatusBadRequest)
		return
	}
	pod, err := a.pods.Pods(namespace).Get(name)
	if err != nil {
		http.Error(w, fmt.Sprintf("pod %s/%s not found", namespace, name), http.StatusNotFound)
		return
	}
	status, found := containerStatus(pod, container)
	if !found {
		http.Error(w, fmt.Sprintf("container %q in pod %q is not available", container, name), http.StatusBadRequest)
		return
	}
	// Which run's log, as a kubelet picks the container: --previous and a container
	// waiting to restart both mean the last one that ended.
	attempt := status.RestartCount
	ended := status.LastTerminationState.Terminated != nil
	switch {
	case options.Previous && !ended:
		http.Error(w, fmt.Sprintf("previous terminated container %q in pod %q not found", container, name), http.StatusBadRequest)
		return
	case options.Previous:
		attempt--
	case status.State.Running != nil || status.State.Terminated != nil:
	case ended:
		attempt--
	default:
		reason := "ContainerCreating"
		if status.State.Waiting != nil {
			reason = status.State.Waiting.Reason
		}
		http.Error(w, fmt.Sprintf("container %q in pod %q is waiting to start: %s", container, name, reason), http.StatusBadRequest)
		return
	}
	path := filepath.Join(a.nodesDir, pod.Spec.NodeName, containerLogPath(pod, container, attempt))
	w.Header().Set("Content-Type", "text/plain")
	if _, err := os.Stat(path); err != nil {
		return // the agent has not written this start's log yet: nothing logged so far
	}
	w.Header().Set("Transfer-Encoding", "chunked")
	out := flushwriter.Wrap(w)
	running := containerRunning{pods: a.pods, namespace: namespace, name: name, container: container, attempt: attempt}
	opts := crilogs.NewLogOptions(options, time.Now())
	if err := crilogs.ReadLogs(r.Context(), nil, path, "", opts, running, out, out); err != nil && r.Context().Err() == nil {
		fmt.Fprintln(os.Stderr, "kubelet: logs:", err)
	}
}

func containerStatus(pod *corev1.Pod, container string) (corev1.ContainerStatus, bool) {
	for _, statuses := range [][]corev1.ContainerStatus{pod.Status.ContainerStatuses, pod.Status.InitContainerStatuses} {
		for _, s := range statuses {
			if s.Name == container {
				return s, true
			}
		}
	}
	return corev1.ContainerStatus{}, false
}

// containerLogPath is where a kubelet keeps a container's log on its node.
func containerLogPath(pod *corev1.Pod, container string, attempt int32) string {
	return filepath.Join("/var/log/pods", podLogDir(pod), container, fmt.Sprintf("%d.log", attempt))
}

// podLogDir is the name of a pod's folder under /var/log/pods.
func podLogDir(pod *corev1.Pod) string {
	return fmt.Sprintf("%s_%s_%s", pod.Namespace, pod.Name, podUID(pod))
}

// containerRunning answers the log reader's one question to the runtime, whether
// the container still runs (so `-f` ends when it exits), from the pod's status.
type containerRunning struct {
	criapi.RuntimeService
	pods                       listersv1.PodLister
	namespace, name, container string
	attempt                    int32
}

func (c containerRunning) ContainerStatus(context.Context, string, bool) (*runtimeapi.ContainerStatusResponse, error) {
	pod, err := c.pods.Pods(c.namespace).Get(c.name)
	if err != nil {
		return nil, status.Error(codes.NotFound, "pod is gone")
	}
	s, _ := containerStatus(pod, c.container)
	state := runtimeapi.ContainerState_CONTAINER_EXITED
	if s.RestartCount == c.attempt && s.State.Running != nil {
		state = runtimeapi.ContainerState_CONTAINER_RUNNING
	}
	return &runtimeapi.ContainerStatusResponse{Status: &runtimeapi.ContainerStatus{State: state}}, nil
}
