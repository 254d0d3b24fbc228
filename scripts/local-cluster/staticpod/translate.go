// Package staticpod turns a kubeadm static-pod manifest into the process a kubelet
// would start for it on the local cluster, or into the error a kubelet or the
// component would show. It is pure: the node's files and the known images are asked
// through Options, so table tests need no cluster.
package staticpod

import (
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// Process is what runs for the pod's container.
type Process struct {
	Pod       string   // the pod's name in the manifest (the mirror pod adds -<node>)
	Namespace string   // kube-system unless the manifest says otherwise
	Container string   // the container's name
	Image     string   // the image, as written
	Binary    string   // base name of command[0]: kube-scheduler, etcd, ...
	Args      []string // command[1:] then args, with container paths turned into host paths
	Env       []string // KEY=VALUE, in the manifest's order
	Mounts    []Mount  // the container's hostPath mounts
}

// Mount is a hostPath volume as the container sees it.
type Mount struct {
	Volume    string
	MountPath string // in the container
	HostPath  string // on the node
	Create    bool   // DirectoryOrCreate / FileOrCreate: the kubelet creates it
	File      bool   // FileOrCreate: what it creates is an empty file
	ReadOnly  bool
}

// Error is why the pod does not run, with the reason its container status would carry.
type Error struct {
	Reason  string // InvalidManifest, ErrImagePull, FailedMount, RunContainerError or Error
	Message string
}

func (e *Error) Error() string { return e.Reason + ": " + e.Message }

// Options say what the node has.
type Options struct {
	// Root is the node's folder on this host; node paths are joined to it ("" for none).
	Root string
	// ImageKnown says whether the image can be pulled.
	ImageKnown func(image string) bool
	// Binaries are the commands the local cluster can run.
	Binaries map[string]bool
	// Exists says whether a host path (Root already joined) exists.
	Exists func(hostPath string) bool
	// Scratch is the node folder that stands for the container's own filesystem, where a
	// path no hostPath volume holds is written ("" keeps such a path on the node).
	Scratch string
}

// Translate reads a manifest file's content and returns the process for its first
// container. Unknown fields are ignored, as the kubelet's decoder ignores them.
func Translate(file string, manifest []byte, o Options) (*Process, error) {
	var pod corev1.Pod
	if err := yaml.Unmarshal(manifest, &pod); err != nil {
		return nil, &Error{"InvalidManifest", fmt.Sprintf("%s: couldn't parse as pod(%v), please check config file", file, err)}
	}
	if pod.Kind != "Pod" || pod.Name == "" || len(pod.Spec.Containers) == 0 {
		return nil, &Error{"InvalidManifest", fmt.Sprintf("%s: invalid pod: kind Pod, metadata.name and one container are required", file)}
	}
	c := pod.Spec.Containers[0]
	p := &Process{Pod: pod.Name, Namespace: pod.Namespace, Container: c.Name, Image: c.Image}
	if p.Namespace == "" {
		p.Namespace = "kube-system"
	}
	if o.ImageKnown != nil && !o.ImageKnown(c.Image) {
		return nil, &Error{"ErrImagePull", fmt.Sprintf("failed to pull and unpack image %q: %s: not found", c.Image, c.Image)}
	}
	mounts, err := hostMounts(pod.Spec, c, o)
	if err != nil {
		return nil, err
	}
	p.Mounts = mounts
	command := append(append([]string{}, c.Command...), c.Args...)
	if len(command) == 0 {
		return nil, &Error{"RunContainerError", fmt.Sprintf("container %s has no command; the local cluster runs only the control plane's binaries", c.Name)}
	}
	p.Binary = path.Base(command[0])
	if o.Binaries != nil && !o.Binaries[p.Binary] {
		return nil, &Error{"RunContainerError", fmt.Sprintf("exec: %q: executable file not found in $PATH", command[0])}
	}
	if p.Args, err = hostArgs(command[1:], mounts, o); err != nil {
		return nil, err
	}
	for _, env := range c.Env {
		p.Env = append(p.Env, env.Name+"="+env.Value)
	}
	return p, nil
}

// hostMounts resolves the container's volumeMounts to hostPath volumes and checks
// them as the kubelet does before it starts the container.
func hostMounts(spec corev1.PodSpec, c corev1.Container, o Options) ([]Mount, error) {
	volumes := map[string]corev1.Volume{}
	for _, v := range spec.Volumes {
		volumes[v.Name] = v
	}
	var mounts []Mount
	for _, vm := range c.VolumeMounts {
		v, ok := volumes[vm.Name]
		if !ok {
			return nil, &Error{"CreateContainerConfigError", fmt.Sprintf("cannot find volume %q to mount into container %q", vm.Name, c.Name)}
		}
		if v.HostPath == nil {
			continue // only hostPath volumes reach the node's files
		}
		kind := corev1.HostPathUnset
		if v.HostPath.Type != nil {
			kind = *v.HostPath.Type
		}
		m := Mount{Volume: vm.Name, MountPath: vm.MountPath, HostPath: v.HostPath.Path, ReadOnly: vm.ReadOnly,
			Create: kind == corev1.HostPathDirectoryOrCreate || kind == corev1.HostPathFileOrCreate,
			File:   kind == corev1.HostPathFileOrCreate}
		if (kind == corev1.HostPathDirectory || kind == corev1.HostPathFile) && o.Exists != nil && !o.Exists(filepath.Join(o.Root, m.HostPath)) {
			what := map[corev1.HostPathType]string{corev1.HostPathDirectory: "directory", corev1.HostPathFile: "file"}[kind]
			return nil, &Error{"FailedMount", fmt.Sprintf("MountVolume.SetUp failed for volume %q : hostPath type check failed: %s is not a %s", m.Volume, m.HostPath, what)}
		}
		mounts = append(mounts, m)
	}
	return mounts, nil
}

// hostArgs turns every absolute path in the arguments into the host path its mount
// gives it; an input file the container cannot see, or that is missing, is the error
// the component would print on start.
func hostArgs(args []string, mounts []Mount, o Options) ([]string, error) {
	byDepth := append([]Mount{}, mounts...)
	sort.Slice(byDepth, func(i, j int) bool { return len(byDepth[i].MountPath) > len(byDepth[j].MountPath) })
	out := make([]string, len(args))
	for i, arg := range args {
		flag, value, isFlag := strings.Cut(arg, "=")
		if !isFlag {
			flag, value = "", arg
			if i > 0 && strings.HasPrefix(args[i-1], "--") && !strings.Contains(args[i-1], "=") {
				flag = args[i-1]
			}
		}
		if !strings.HasPrefix(value, "/") {
			out[i] = arg
			continue
		}
		host, visible := toHost(value, byDepth)
		if (!visible || (o.Exists != nil && !o.Exists(filepath.Join(o.Root, host)))) && mustExist(flag) {
			return nil, &Error{"Error", fmt.Sprintf("%s: open %s: no such file or directory", flag, value)}
		}
		if !visible && o.Scratch != "" {
			// As in a container: what it writes outside its volumes stays in its own layer,
			// e.g. an etcd --data-dir moved without its hostPath starts an empty etcd.
			host = path.Join(o.Scratch, host)
		}
		host = filepath.Join(o.Root, host)
		if isFlag {
			out[i] = flag + "=" + host
		} else {
			out[i] = host
		}
	}
	return out, nil
}

func toHost(containerPath string, byDepth []Mount) (string, bool) {
	for _, m := range byDepth {
		mp := strings.TrimSuffix(m.MountPath, "/")
		if containerPath == mp || strings.HasPrefix(containerPath, mp+"/") {
			return m.HostPath + strings.TrimPrefix(containerPath, mp), true
		}
	}
	return containerPath, false
}

// mustExist: a path flag names an input file unless it names a folder or a file the
// component writes (etcd's --data-dir, the API server's --audit-log-path).
func mustExist(flag string) bool {
	return flag != "" && !strings.HasSuffix(flag, "-dir") && !strings.HasSuffix(flag, "-log-path")
}

// Components are the control-plane binaries the local cluster runs as processes.
var Components = map[string]bool{"etcd": true, "kube-apiserver": true, "kube-controller-manager": true, "kube-scheduler": true}

// RunsAsProcess says whether the control-plane node's kubelet runs this manifest as a
// process rather than simulating it: a control-plane component, known by its pod name
// or by its command (either may be the thing a learner broke).
func RunsAsProcess(manifest []byte) bool {
	var pod corev1.Pod
	if yaml.Unmarshal(manifest, &pod) != nil {
		return false
	}
	if Components[pod.Name] {
		return true
	}
	for _, c := range pod.Spec.Containers {
		if len(c.Command) > 0 && Components[path.Base(c.Command[0])] {
			return true
		}
	}
	return false
}
