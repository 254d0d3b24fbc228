// Package corefile tells whether CoreDNS would start with a Corefile, using the
// parser CoreDNS itself uses (github.com/coredns/caddy) and CoreDNS's plugin names.
package corefile

import (
	"strings"

	"github.com/coredns/caddy/caddyfile"
)

// Directives are the plugins of CoreDNS v1.12.0's default build (its plugin.cfg), the
// only directives its parser accepts.
var Directives = []string{
	"root", "metadata", "geoip", "cancel", "tls", "timeouts", "multisocket", "reload",
	"nsid", "bufsize", "bind", "debug", "trace", "ready", "health", "pprof", "prometheus",
	"errors", "log", "dnstap", "local", "dns64", "acl", "any", "chaos", "loadbalance",
	"tsig", "cache", "rewrite", "header", "dnssec", "autopath", "minimal", "template",
	"transfer", "hosts", "route53", "azure", "clouddns", "k8s_external", "kubernetes",
	"file", "auto", "secondary", "etcd", "loop", "forward", "grpc", "erratic", "whoami",
	"on", "sign", "view",
}

// Check returns CoreDNS's error for a Corefile it would refuse to parse, "" for one it
// parses. path is where CoreDNS reads it (its -conf), which the error names.
func Check(path, corefile string) string {
	blocks, err := caddyfile.Parse(path, strings.NewReader(corefile), Directives)
	if err != nil {
		return err.Error()
	}
	if len(blocks) == 0 {
		return path + ": no server blocks in the Corefile"
	}
	return ""
}
