package main

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/restmapper"
	kubeadmapi "k8s.io/kubernetes/cmd/kubeadm/app/apis/kubeadm"
	kubeadmscheme "k8s.io/kubernetes/cmd/kubeadm/app/apis/kubeadm/scheme"
	"k8s.io/kubernetes/cmd/kubeadm/app/componentconfigs"
	"k8s.io/kubernetes/cmd/kubeadm/app/phases/addons/dns"
	"k8s.io/kubernetes/cmd/kubeadm/app/phases/addons/proxy"
)

// kind's own add-ons, which it applies after `kubeadm init`: the kindnet CNI and
// the local-path storage class; and metrics-server, which the CKA's clusters have.
// Their YAML is data, kept beside this file.
//
//go:embed addons/*.yaml
var kindAddons embed.FS

// runAddons installs what `kubeadm init` and kind install after the control plane is
// up: CoreDNS and kube-proxy from kubeadm's own addon phases (its templates, names and
// Corefile), then kind's kindnet and local-path-storage, and metrics-server. An add-on whose workload
// exists is left alone, so what a learner changed survives `cluster up`; one that was
// deleted comes back, as `kubeadm init phase addon` would bring it back. What it
// creates is printed, a line each, so that `cluster up` knows what to wait for.
func runAddons() int {
	fs := flag.NewFlagSet("addons", flag.ContinueOnError)
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig of the cluster")
	metricsServerPort := fs.Int("metrics-server-port", 0, "where metrics-server serves on 127.0.0.1; 0: no metrics-server")
	if err := fs.Parse(os.Args[1:]); err != nil {
		return 2
	}
	if err := installAddons(context.Background(), *kubeconfig, *metricsServerPort, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "addons:", err)
		return 1
	}
	return 0
}

func installAddons(ctx context.Context, kubeconfig string, metricsServerPort int, out io.Writer) error {
	config, err := clientConfig(kubeconfig)
	if err != nil {
		return err
	}
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return err
	}
	cfg, endpoint, err := clusterConfiguration(ctx, client)
	if err != nil {
		return err
	}
	missing := func(err error) bool { return apierrors.IsNotFound(err) }
	if _, err := client.AppsV1().Deployments("kube-system").Get(ctx, "coredns", metav1.GetOptions{}); missing(err) {
		if err := dns.EnsureDNSAddon(cfg, client, "", io.Discard, false); err != nil {
			return fmt.Errorf("CoreDNS: %w", err)
		}
		fmt.Fprintln(out, "Deployment kube-system/coredns")
	}
	if _, err := client.AppsV1().DaemonSets("kube-system").Get(ctx, "kube-proxy", metav1.GetOptions{}); missing(err) {
		if err := proxy.EnsureProxyAddon(cfg, endpoint, client, io.Discard, false); err != nil {
			return fmt.Errorf("kube-proxy: %w", err)
		}
		fmt.Fprintln(out, "DaemonSet kube-system/kube-proxy")
	}
	dyn, err := dynamic.NewForConfig(config)
	if err != nil {
		return err
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(client.Discovery()))
	files := []string{"addons/kindnet.yaml", "addons/local-path-storage.yaml"}
	if metricsServerPort != 0 {
		files = append(files, "addons/metrics-server.yaml")
	}
	for _, file := range files {
		data, err := kindAddons.ReadFile(file)
		if err != nil {
			return err
		}
		data = bytes.ReplaceAll(data, []byte("METRICS_SERVER_PORT"), []byte(strconv.Itoa(metricsServerPort)))
		if err := createMissing(ctx, dyn, mapper, data, out); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
	}
	return nil
}

// clusterConfiguration reads the ClusterConfiguration kubeadm uploaded to the
// kubeadm-config ConfigMap, as `kubeadm upgrade` does, and defaults it statically:
// kubeadm's dynamic defaulting looks for a default route the local cluster lacks.
func clusterConfiguration(ctx context.Context, client kubernetes.Interface) (*kubeadmapi.ClusterConfiguration, *kubeadmapi.APIEndpoint, error) {
	cm, err := client.CoreV1().ConfigMaps("kube-system").Get(ctx, "kubeadm-config", metav1.GetOptions{})
	if err != nil {
		return nil, nil, err
	}
	cfg := &kubeadmapi.ClusterConfiguration{}
	if err := runtimeDecode([]byte(cm.Data["ClusterConfiguration"]), cfg); err != nil {
		return nil, nil, fmt.Errorf("kubeadm-config: %w", err)
	}
	host, port, err := net.SplitHostPort(cfg.ControlPlaneEndpoint)
	if err != nil {
		return nil, nil, fmt.Errorf("kubeadm-config controlPlaneEndpoint: %w", err)
	}
	bindPort, err := strconv.Atoi(port)
	if err != nil {
		return nil, nil, fmt.Errorf("kubeadm-config controlPlaneEndpoint: %w", err)
	}
	endpoint := &kubeadmapi.APIEndpoint{AdvertiseAddress: host, BindPort: int32(bindPort)}
	componentconfigs.Default(cfg, endpoint, &kubeadmapi.NodeRegistrationOptions{Name: "kubedrill-control-plane"})
	return cfg, endpoint, nil
}

func runtimeDecode(data []byte, into *kubeadmapi.ClusterConfiguration) error {
	obj, _, err := kubeadmscheme.Codecs.UniversalDecoder().Decode(data, nil, into)
	if err != nil {
		return err
	}
	if obj != into {
		return errors.New("not a ClusterConfiguration")
	}
	return nil
}

// createMissing creates each object of a multi-document manifest that does not exist yet.
func createMissing(ctx context.Context, dyn dynamic.Interface, mapper meta.RESTMapper, manifest []byte, out io.Writer) error {
	decoder := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(manifest), 4096)
	for {
		var object unstructured.Unstructured
		if err := decoder.Decode(&object.Object); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if len(object.Object) == 0 {
			continue
		}
		gvk := object.GroupVersionKind()
		mapping, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			return err
		}
		resource := dyn.Resource(mapping.Resource)
		var target dynamic.ResourceInterface = resource
		if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
			target = resource.Namespace(object.GetNamespace())
		}
		_, err = target.Create(ctx, &object, metav1.CreateOptions{})
		switch {
		case err == nil:
			fmt.Fprintf(out, "%s %s\n", gvk.Kind, strings.TrimPrefix(object.GetNamespace()+"/"+object.GetName(), "/"))
		case !apierrors.IsAlreadyExists(err):
			return fmt.Errorf("%s %s: %w", gvk.Kind, object.GetName(), err)
		}
	}
}
