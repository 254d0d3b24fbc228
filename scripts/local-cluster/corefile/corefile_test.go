package corefile

import (
	"strings"
	"testing"
)

// kubeadm's Corefile, as the coredns ConfigMap holds it.
const kubeadmCorefile = `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
`

func TestCheck(t *testing.T) {
	const path = "/etc/coredns/Corefile"
	if got := Check(path, kubeadmCorefile); got != "" {
		t.Fatalf("kubeadm's Corefile: %s", got)
	}
	if got := Check(path, strings.Replace(kubeadmCorefile, "forward .", "forwardd .", 1)); got != "/etc/coredns/Corefile:13 - Error during parsing: Unknown directive 'forwardd'" {
		t.Errorf("a misspelt plugin: %q", got)
	}
	if got := Check(path, strings.TrimSuffix(strings.TrimSpace(kubeadmCorefile), "}")); !strings.Contains(got, "Syntax error") {
		t.Errorf("a missing closing brace: %q", got)
	}
	if got := Check(path, strings.Replace(kubeadmCorefile, "forward . /etc/resolv.conf", "forward . 8.8.8.8 1.1.1.1", 1)); got != "" {
		t.Errorf("another upstream is valid: %q", got)
	}
}
