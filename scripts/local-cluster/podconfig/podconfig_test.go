package podconfig

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var lookup = Lookup{
	ConfigMap: func(ns, name string) Keys {
		if ns == "shop" && name == "app-config" {
			return Keys{"MODE": true}
		}
		return nil
	},
	Secret: func(ns, name string) Keys {
		if ns == "shop" && name == "db" {
			return Keys{"password": true}
		}
		return nil
	},
}

func pod(spec corev1.PodSpec) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "app"}, Spec: spec}
}

func envFrom(ref *corev1.EnvVarSource) corev1.PodSpec {
	return corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Env: []corev1.EnvVar{{Name: "X", ValueFrom: ref}}}}}
}

func TestCheckSaysWhatTheKubeletSays(t *testing.T) {
	yes := true
	cases := []struct {
		name string
		spec corev1.PodSpec
		want *Problem
	}{
		{"everything there", envFrom(&corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: "app-config"}, Key: "MODE"}}), nil},
		{"a missing key", envFrom(&corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: "app-config"}, Key: "DB_HOST"}}),
			&Problem{Container: "app", Message: "couldn't find key DB_HOST in ConfigMap shop/app-config"}},
		{"a missing ConfigMap", envFrom(&corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: "gone"}, Key: "A"}}),
			&Problem{Container: "app", Message: `configmap "gone" not found`}},
		{"an optional missing key", envFrom(&corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: "gone"}, Key: "A", Optional: &yes}}), nil},
		{"a missing Secret key", envFrom(&corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: "db"}, Key: "user"}}),
			&Problem{Container: "app", Message: "couldn't find key user in Secret shop/db"}},
		{"envFrom a missing Secret", corev1.PodSpec{Containers: []corev1.Container{{Name: "app", EnvFrom: []corev1.EnvFromSource{{
			SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "creds"}}}}}}},
			&Problem{Container: "app", Message: `secret "creds" not found`}},
		{"a volume of a missing ConfigMap, before any env", corev1.PodSpec{
			Containers: []corev1.Container{{Name: "app", EnvFrom: []corev1.EnvFromSource{{
				SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "creds"}}}}}},
			Volumes: []corev1.Volume{{Name: "settings", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
				LocalObjectReference: corev1.LocalObjectReference{Name: "app-settings"}}}}}},
			&Problem{Mount: true, Message: `MountVolume.SetUp failed for volume "settings" : configmap "app-settings" not found`}},
		{"a volume item whose key is missing", corev1.PodSpec{Volumes: []corev1.Volume{{Name: "pw", VolumeSource: corev1.VolumeSource{
			Secret: &corev1.SecretVolumeSource{SecretName: "db", Items: []corev1.KeyToPath{{Key: "token", Path: "t"}}}}}}},
			&Problem{Mount: true, Message: `MountVolume.SetUp failed for volume "pw" : secret references non-existent config key: token`}},
		{"an init container first", corev1.PodSpec{
			InitContainers: []corev1.Container{{Name: "init", Env: []corev1.EnvVar{{Name: "X", ValueFrom: &corev1.EnvVarSource{
				SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "nope"}, Key: "k"}}}}}},
			Containers: envFrom(&corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: "gone"}, Key: "A"}}).Containers},
			&Problem{Container: "init", Message: `secret "nope" not found`}},
	}
	for _, c := range cases {
		got := Check(pod(c.spec), lookup)
		if (got == nil) != (c.want == nil) || (got != nil && *got != *c.want) {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
}
