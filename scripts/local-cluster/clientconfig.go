package main

import (
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// clientConfig is the API client configuration of the one-shot commands (the add-on
// installer, crictl): the kubelet's own rate limits (kubeAPIQPS 50, kubeAPIBurst 100),
// not client-go's 5 and 10, at which installing metrics-server's eleven objects alone
// waited two seconds. The node agent keeps client-go's: at the kubelet's, its pods
// raced its own caches (a ConfigMap created with a pod was "not found"), which a real
// kubelet avoids by waiting for what a pod references.
func clientConfig(kubeconfig string) (*rest.Config, error) {
	config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, err
	}
	config.QPS = 50
	config.Burst = 100
	return config, nil
}
