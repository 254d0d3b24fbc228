package main

import (
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// clientConfig is the API client configuration of the node agent, the control-plane
// kubelet and the add-on installer: the kubelet's own rate limits (kubeAPIQPS 50,
// kubeAPIBurst 100), not client-go's 5 and 10, at which installing metrics-server's
// eleven objects alone waited two seconds and a node agent busy with many pods queued
// its writes.
func clientConfig(kubeconfig string) (*rest.Config, error) {
	config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, err
	}
	config.QPS = 50
	config.Burst = 100
	return config, nil
}
