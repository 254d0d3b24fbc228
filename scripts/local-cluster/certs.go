package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// runCerts writes the cluster's PKI into --dir once, laid out as kubeadm lays out
// /etc/kubernetes/pki: the cluster CA and the API server's serving certificate, the
// service-account key pair, a separate etcd CA with etcd's server, peer and
// healthcheck-client certificates, the API server's etcd and kubelet client
// certificates, and the front-proxy CA with its client certificate.
// kubedrill adds admin.crt, a system:masters client certificate (kubeadm puts the
// same into admin.conf). The files are written to a sibling folder and renamed into
// place, so an interrupted run never leaves half a PKI.
func runCerts() int {
	fs := flag.NewFlagSet("certs", flag.ContinueOnError)
	dir := fs.String("dir", "", "folder for the PKI files")
	if err := fs.Parse(os.Args[1:]); err != nil || *dir == "" {
		fmt.Fprintln(os.Stderr, "usage: kubedrill-cluster certs --dir DIR")
		return 2
	}
	if _, err := os.Stat(filepath.Join(*dir, "etcd", "ca.crt")); err == nil {
		// A PKI made before a certificate was added gets that one from its CA.
		err := ensureLeaf(*dir, kubeletClient)
		if err == nil {
			err = ensureFrontProxy(*dir)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "certs:", err)
			return 1
		}
		return 0
	}
	partial := *dir + ".partial"
	if err := os.RemoveAll(partial); err != nil {
		fmt.Fprintln(os.Stderr, "certs:", err)
		return 1
	}
	if err := writePKI(partial); err != nil {
		fmt.Fprintln(os.Stderr, "certs:", err)
		return 1
	}
	if err := os.RemoveAll(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "certs:", err)
		return 1
	}
	if err := os.Rename(partial, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "certs:", err)
		return 1
	}
	return 0
}

var (
	serverUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	clientUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	bothUsages  = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	loopbackIPs = []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")}
)

func leaf(cn string, org []string, usage []x509.ExtKeyUsage, dns []string, ips []net.IP) *x509.Certificate {
	return &x509.Certificate{
		Subject:     pkix.Name{CommonName: cn, Organization: org},
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: usage,
		DNSNames:    dns,
		IPAddresses: ips,
	}
}

func writePKI(dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, "etcd"), 0o700); err != nil {
		return err
	}
	caCert, caKey, err := newCA(dir, "ca", "kubernetes")
	if err != nil {
		return err
	}
	etcdCert, etcdKey, err := newCA(dir, "etcd/ca", "etcd-ca")
	if err != nil {
		return err
	}
	apiserverDNS := []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "kubedrill-control-plane"}
	leaves := []struct {
		name     string
		template *x509.Certificate
		ca       *x509.Certificate
		key      *ecdsa.PrivateKey
	}{
		{"apiserver", leaf("kube-apiserver", nil, serverUsage, apiserverDNS, append(loopbackIPs, net.ParseIP("10.96.0.1"))), caCert, caKey},
		{"admin", leaf("kubernetes-admin", []string{"system:masters"}, clientUsage, nil, nil), caCert, caKey},
		{kubeletClient.name, kubeletClient.template(), caCert, caKey},
		{"apiserver-etcd-client", leaf("kube-apiserver-etcd-client", nil, clientUsage, nil, nil), etcdCert, etcdKey},
		{"etcd/server", leaf("kubedrill-control-plane", nil, bothUsages, []string{"localhost", "kubedrill-control-plane"}, loopbackIPs), etcdCert, etcdKey},
		{"etcd/peer", leaf("kubedrill-control-plane", nil, bothUsages, []string{"localhost", "kubedrill-control-plane"}, loopbackIPs), etcdCert, etcdKey},
		{"etcd/healthcheck-client", leaf("kube-etcd-healthcheck-client", nil, clientUsage, nil, nil), etcdCert, etcdKey},
	}
	for _, l := range leaves {
		if err := issueLeaf(dir, l.name, l.template, l.ca, l.key); err != nil {
			return err
		}
	}
	if err := ensureFrontProxy(dir); err != nil {
		return err
	}
	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	if err := writePEM(filepath.Join(dir, "sa.key"), "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(saKey)); err != nil {
		return err
	}
	pub, err := x509.MarshalPKIXPublicKey(&saKey.PublicKey)
	if err != nil {
		return err
	}
	return writePEM(filepath.Join(dir, "sa.pub"), "PUBLIC KEY", pub)
}

// leafSpec is a certificate the cluster CA issues: its file name under pki/ and its fields.
type leafSpec struct {
	name     string
	template func() *x509.Certificate
}

// The API server's client certificate for kubelets (logs), with kubeadm's name and subject.
var kubeletClient = leafSpec{
	name: "apiserver-kubelet-client",
	template: func() *x509.Certificate {
		return leaf("kube-apiserver-kubelet-client", []string{"kubeadm:cluster-admins"}, clientUsage, nil, nil)
	},
}

// ensureLeaf issues one certificate of the cluster CA when its file is missing.
func ensureLeaf(dir string, l leafSpec) error {
	if _, err := os.Stat(filepath.Join(dir, l.name+".crt")); err == nil {
		return nil
	}
	ca, key, err := loadCA(filepath.Join(dir, "ca"))
	if err != nil {
		return err
	}
	return issueLeaf(dir, l.name, l.template(), ca, key)
}

// ensureFrontProxy issues kubeadm's front-proxy CA and the client certificate the API
// server presents to aggregated API servers, when they are missing.
func ensureFrontProxy(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "front-proxy-client.crt")); err == nil {
		return nil
	}
	ca, key, err := newCA(dir, "front-proxy-ca", "front-proxy-ca")
	if err != nil {
		return err
	}
	return issueLeaf(dir, "front-proxy-client", leaf("front-proxy-client", nil, clientUsage, nil, nil), ca, key)
}

func loadCA(base string) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	certPEM, err := os.ReadFile(base + ".crt")
	if err != nil {
		return nil, nil, err
	}
	keyPEM, err := os.ReadFile(base + ".key")
	if err != nil {
		return nil, nil, err
	}
	certBlock, _ := pem.Decode(certPEM)
	keyBlock, _ := pem.Decode(keyPEM)
	if certBlock == nil || keyBlock == nil {
		return nil, nil, fmt.Errorf("%s.crt or .key is not PEM", base)
	}
	cert, err := x509.ParseCertificate(certBlock.Bytes)
	if err != nil {
		return nil, nil, err
	}
	key, err := x509.ParseECPrivateKey(keyBlock.Bytes)
	return cert, key, err
}

func newCA(dir, name, cn string) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	template := &x509.Certificate{
		Subject:               pkix.Name{CommonName: cn},
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	cert, err := issue(dir, name, template, nil, key, key)
	return cert, key, err
}

func issueLeaf(dir, name string, template, ca *x509.Certificate, caKey *ecdsa.PrivateKey) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	_, err = issue(dir, name, template, ca, key, caKey)
	return err
}

// issue signs template (self-signed when parent is nil) and writes NAME.crt and NAME.key.
func issue(dir, name string, template, parent *x509.Certificate, key, signer *ecdsa.PrivateKey) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, err
	}
	template.SerialNumber = serial
	template.NotBefore = time.Now().Add(-time.Hour)
	template.NotAfter = time.Now().AddDate(10, 0, 0)
	if parent == nil {
		parent = template
	}
	der, err := x509.CreateCertificate(rand.Reader, template, parent, &key.PublicKey, signer)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, err
	}
	if err := writePEM(filepath.Join(dir, name+".key"), "EC PRIVATE KEY", keyDER); err != nil {
		return nil, err
	}
	if err := writePEM(filepath.Join(dir, name+".crt"), "CERTIFICATE", der); err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

func writePEM(path, kind string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600)
}
