// Package podconfig decides, as a kubelet does before it starts a pod's containers,
// whether the ConfigMaps, Secrets and keys the pod's volumes and environment name
// exist, and says what is missing in the kubelet's words. It is pure: what the
// cluster has is asked through Lookup, so table tests need no cluster.
package podconfig

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

// Problem is why a kubelet would not start a pod's containers yet.
type Problem struct {
	Mount     bool   // a volume cannot be mounted: every container stays ContainerCreating
	Container string // with !Mount: the container that cannot be created
	Message   string // the kubelet's words
}

// Keys are an object's keys; nil means the object does not exist.
type Keys map[string]bool

// Lookup answers with the keys of a ConfigMap or Secret in a namespace.
type Lookup struct {
	ConfigMap func(namespace, name string) Keys
	Secret    func(namespace, name string) Keys
}

// Check checks what a kubelet checks, in its order: volumes, then each
// container's environment (init containers first). nil when everything is there.
func Check(pod *corev1.Pod, lookup Lookup) *Problem {
	ns := pod.Namespace
	for _, v := range pod.Spec.Volumes {
		var why string
		switch {
		case v.ConfigMap != nil && !isTrue(v.ConfigMap.Optional):
			why = missingVolumeKeys("configmap", v.ConfigMap.Name, v.ConfigMap.Items, lookup.ConfigMap(ns, v.ConfigMap.Name))
		case v.Secret != nil && !isTrue(v.Secret.Optional):
			why = missingVolumeKeys("secret", v.Secret.SecretName, v.Secret.Items, lookup.Secret(ns, v.Secret.SecretName))
		}
		if why != "" {
			return &Problem{Mount: true, Message: fmt.Sprintf("MountVolume.SetUp failed for volume %q : %s", v.Name, why)}
		}
	}
	containers := append(append([]corev1.Container{}, pod.Spec.InitContainers...), pod.Spec.Containers...)
	for _, c := range containers {
		if why := envProblem(c, ns, lookup); why != "" {
			return &Problem{Container: c.Name, Message: why}
		}
	}
	return nil
}

func isTrue(b *bool) bool { return b != nil && *b }

// missingVolumeKeys says, as the kubelet's configmap and secret volume plugins do, why a volume cannot be set up.
func missingVolumeKeys(kind, name string, items []corev1.KeyToPath, keys Keys) string {
	if keys == nil {
		return fmt.Sprintf("%s %q not found", kind, name)
	}
	for _, item := range items {
		if !keys[item.Key] {
			return fmt.Sprintf("%s references non-existent config key: %s", kind, item.Key)
		}
	}
	return ""
}

// envProblem says, as the kubelet's makeEnvironmentVariables does, why a container's environment cannot be made.
func envProblem(c corev1.Container, ns string, lookup Lookup) string {
	for _, from := range c.EnvFrom {
		switch {
		case from.ConfigMapRef != nil && !isTrue(from.ConfigMapRef.Optional) && lookup.ConfigMap(ns, from.ConfigMapRef.Name) == nil:
			return fmt.Sprintf("configmap %q not found", from.ConfigMapRef.Name)
		case from.SecretRef != nil && !isTrue(from.SecretRef.Optional) && lookup.Secret(ns, from.SecretRef.Name) == nil:
			return fmt.Sprintf("secret %q not found", from.SecretRef.Name)
		}
	}
	for _, env := range c.Env {
		if env.ValueFrom == nil {
			continue
		}
		if ref := env.ValueFrom.ConfigMapKeyRef; ref != nil && !isTrue(ref.Optional) {
			if why := missingKey("configmap", "ConfigMap", ns, ref.Name, ref.Key, lookup.ConfigMap(ns, ref.Name)); why != "" {
				return why
			}
		}
		if ref := env.ValueFrom.SecretKeyRef; ref != nil && !isTrue(ref.Optional) {
			if why := missingKey("secret", "Secret", ns, ref.Name, ref.Key, lookup.Secret(ns, ref.Name)); why != "" {
				return why
			}
		}
	}
	return ""
}

// missingKey: the kubelet's words for an env var whose object or key is missing.
func missingKey(kind, Kind, ns, name, key string, keys Keys) string {
	if keys == nil {
		return fmt.Sprintf("%s %q not found", kind, name)
	}
	if !keys[key] {
		return fmt.Sprintf("couldn't find key %s in %s %s/%s", key, Kind, ns, name)
	}
	return ""
}
