package staticpod

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// The scheduler's manifest as kubeadm v1.33 writes it (trimmed to what matters here).
const scheduler = `apiVersion: v1
kind: Pod
metadata:
  labels:
    component: kube-scheduler
    tier: control-plane
  name: kube-scheduler
  namespace: kube-system
spec:
  containers:
  - command:
    - kube-scheduler
    - --authentication-kubeconfig=/etc/kubernetes/scheduler.conf
    - --bind-address=127.0.0.1
    - --kubeconfig=/etc/kubernetes/scheduler.conf
    - --leader-elect=true
    image: registry.k8s.io/kube-scheduler:v1.33.13
    name: kube-scheduler
    volumeMounts:
    - mountPath: /etc/kubernetes/scheduler.conf
      name: kubeconfig
      readOnly: true
  hostNetwork: true
  volumes:
  - hostPath:
      path: /etc/kubernetes/scheduler.conf
      type: FileOrCreate
    name: kubeconfig
status: {}
`

// etcd's, with its data folder moved on the host as a snapshot restore does.
const etcdRestored = `apiVersion: v1
kind: Pod
metadata:
  name: etcd
  namespace: kube-system
spec:
  containers:
  - command:
    - etcd
    - --data-dir=/var/lib/etcd
    - --cert-file=/etc/kubernetes/pki/etcd/server.crt
    - --listen-client-urls=https://127.0.0.1:2379
    env:
    - name: GOMAXPROCS
      value: "1"
    image: registry.k8s.io/etcd:3.5.21-0
    name: etcd
    volumeMounts:
    - mountPath: /var/lib/etcd
      name: etcd-data
    - mountPath: /etc/kubernetes/pki/etcd
      name: etcd-certs
  volumes:
  - hostPath:
      path: /etc/kubernetes/pki/etcd
      type: DirectoryOrCreate
    name: etcd-certs
  - hostPath:
      path: /var/lib/etcd-from-backup
      type: DirectoryOrCreate
    name: etcd-data
`

func options(files ...string) Options {
	present := map[string]bool{}
	for _, f := range files {
		present[f] = true
	}
	return Options{
		Root: "/state/nodes/cp",
		ImageKnown: func(image string) bool {
			return strings.HasPrefix(image, "registry.k8s.io/") && !strings.HasSuffix(image, ":v9")
		},
		Binaries: map[string]bool{"kube-scheduler": true, "etcd": true},
		Exists:   func(p string) bool { return present[p] },
	}
}

func TestTranslateRunsTheManifestsCommandWithHostPaths(t *testing.T) {
	tests := []struct {
		name, manifest string
		files          []string
		want           Process
	}{
		{
			name:     "the scheduler's flags keep kubeadm's order; its kubeconfig is the node's file",
			manifest: scheduler,
			files:    []string{"/state/nodes/cp/etc/kubernetes/scheduler.conf"},
			want: Process{
				Pod: "kube-scheduler", Namespace: "kube-system", Container: "kube-scheduler",
				Image: "registry.k8s.io/kube-scheduler:v1.33.13", Binary: "kube-scheduler",
				Args: []string{
					"--authentication-kubeconfig=/state/nodes/cp/etc/kubernetes/scheduler.conf",
					"--bind-address=127.0.0.1",
					"--kubeconfig=/state/nodes/cp/etc/kubernetes/scheduler.conf",
					"--leader-elect=true",
				},
				Mounts: []Mount{{Volume: "kubeconfig", MountPath: "/etc/kubernetes/scheduler.conf", HostPath: "/etc/kubernetes/scheduler.conf", Create: true, File: true, ReadOnly: true}},
			},
		},
		{
			name:     "etcd's --data-dir follows its hostPath to the restored folder; env is passed",
			manifest: etcdRestored,
			files:    []string{"/state/nodes/cp/etc/kubernetes/pki/etcd/server.crt"},
			want: Process{
				Pod: "etcd", Namespace: "kube-system", Container: "etcd", Image: "registry.k8s.io/etcd:3.5.21-0", Binary: "etcd",
				Args: []string{
					"--data-dir=/state/nodes/cp/var/lib/etcd-from-backup",
					"--cert-file=/state/nodes/cp/etc/kubernetes/pki/etcd/server.crt",
					"--listen-client-urls=https://127.0.0.1:2379",
				},
				Env: []string{"GOMAXPROCS=1"},
				Mounts: []Mount{
					{Volume: "etcd-data", MountPath: "/var/lib/etcd", HostPath: "/var/lib/etcd-from-backup", Create: true},
					{Volume: "etcd-certs", MountPath: "/etc/kubernetes/pki/etcd", HostPath: "/etc/kubernetes/pki/etcd", Create: true},
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Translate("/etc/kubernetes/manifests/x.yaml", []byte(tt.manifest), options(tt.files...))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

func TestTranslateWritesWhatNoVolumeHoldsInTheContainersOwnLayer(t *testing.T) {
	// --data-dir moved to the restored folder, the hostPath left on /var/lib/etcd: the
	// container sees no restored data there, as under a real kubelet.
	manifest := strings.Replace(strings.Replace(etcdRestored, "path: /var/lib/etcd-from-backup", "path: /var/lib/etcd", 1),
		"--data-dir=/var/lib/etcd", "--data-dir=/var/lib/etcd-from-backup", 1)
	o := options("/state/nodes/cp/etc/kubernetes/pki/etcd/server.crt")
	o.Scratch = "/var/lib/kubedrill/containers/kube-system_etcd"
	got, err := Translate("/etc/kubernetes/manifests/etcd.yaml", []byte(manifest), o)
	if err != nil {
		t.Fatal(err)
	}
	want := "--data-dir=/state/nodes/cp/var/lib/kubedrill/containers/kube-system_etcd/var/lib/etcd-from-backup"
	if got.Args[0] != want {
		t.Errorf("got %s, want %s", got.Args[0], want)
	}
}

func TestTranslateSaysWhyThePodCannotRun(t *testing.T) {
	conf := "/state/nodes/cp/etc/kubernetes/scheduler.conf"
	tests := []struct {
		name, manifest string
		files          []string
		reason, says   string
	}{
		{"a manifest that is not YAML", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [x\n", nil,
			"InvalidManifest", "couldn't parse as pod"},
		{"a manifest without containers", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n", nil,
			"InvalidManifest", "one container"},
		{"an image that does not exist", strings.Replace(scheduler, "v1.33.13", "v9", 1), []string{conf},
			"ErrImagePull", `"registry.k8s.io/kube-scheduler:v9"`},
		{"a misspelt command", strings.Replace(scheduler, "- kube-scheduler\n", "- kube-schedulr\n", 1), []string{conf},
			"RunContainerError", `exec: "kube-schedulr": executable file not found`},
		{"a kubeconfig missing on the node", scheduler, nil,
			"Error", "--authentication-kubeconfig: open /etc/kubernetes/scheduler.conf: no such file"},
		{"a file outside every mount", strings.Replace(scheduler, "--kubeconfig=/etc/kubernetes/scheduler.conf", "--kubeconfig=/etc/kubernetes/admin.conf", 1), []string{conf, "/state/nodes/cp/etc/kubernetes/admin.conf"},
			"Error", "--kubeconfig: open /etc/kubernetes/admin.conf"},
		{"a hostPath of type File that is missing", strings.Replace(scheduler, "FileOrCreate", "File", 1), nil,
			"FailedMount", "hostPath type check failed: /etc/kubernetes/scheduler.conf is not a file"},
		{"a volumeMount without its volume", strings.Replace(scheduler, "name: kubeconfig\n      readOnly", "name: kubecfg\n      readOnly", 1), []string{conf},
			"CreateContainerConfigError", `cannot find volume "kubecfg"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Translate("/etc/kubernetes/manifests/kube-scheduler.yaml", []byte(tt.manifest), options(tt.files...))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("want an *Error, got %v", err)
			}
			if e.Reason != tt.reason || !strings.Contains(e.Message, tt.says) {
				t.Errorf("got %s: %s\nwant %s containing %q", e.Reason, e.Message, tt.reason, tt.says)
			}
		})
	}
}
