package main

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
	listersv1 "k8s.io/client-go/listers/core/v1"
)

// LoadBalancer Services get an address from this range, on the nodes' network
// (172.18.0.0/16, as kind's docker network), the way cloud-provider-kind gives one.
var (
	loadBalancerFirst = netip.MustParseAddr("172.18.0.100")
	loadBalancerLast  = netip.MustParseAddr("172.18.0.254")
)

// runLoadBalancerIPs writes status.loadBalancer.ingress for each LoadBalancer
// Service that has none, so EXTERNAL-IP is not <pending>. Services with a
// loadBalancerClass are left to the controller they name, as on kind.
func runLoadBalancerIPs(ctx context.Context, client kubernetes.Interface, services listersv1.ServiceLister) {
	ticker := time.NewTicker(500 * time.Millisecond)
	defer ticker.Stop()
	for {
		assignLoadBalancerIPs(ctx, client, services)
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

func assignLoadBalancerIPs(ctx context.Context, client kubernetes.Interface, services listersv1.ServiceLister) {
	all, err := services.List(labels.Everything())
	if err != nil {
		return
	}
	taken := map[netip.Addr]bool{}
	var waiting []*corev1.Service
	for _, svc := range all {
		if svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
			continue
		}
		for _, ingress := range svc.Status.LoadBalancer.Ingress {
			if addr, err := netip.ParseAddr(ingress.IP); err == nil {
				taken[addr] = true
			}
		}
		if len(svc.Status.LoadBalancer.Ingress) == 0 && svc.Spec.LoadBalancerClass == nil {
			waiting = append(waiting, svc)
		}
	}
	next := loadBalancerFirst
	for _, svc := range waiting {
		for taken[next] && next.Compare(loadBalancerLast) <= 0 {
			next = next.Next()
		}
		if next.Compare(loadBalancerLast) > 0 {
			return // the range is used up; the Service stays <pending>, as with no free address on kind
		}
		updated := svc.DeepCopy()
		updated.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: next.String()}}
		if _, err := client.CoreV1().Services(svc.Namespace).UpdateStatus(ctx, updated, metav1.UpdateOptions{}); err != nil {
			fmt.Fprintf(os.Stderr, "kubelet: load balancer address for %s/%s: %v\n", svc.Namespace, svc.Name, err)
			continue
		}
		taken[next] = true
	}
}
