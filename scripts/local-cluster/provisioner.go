package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/sig-storage-lib-external-provisioner/v11/controller"
)

// The provisioner name of kind's StorageClass "standard".
const localPathProvisionerName = "rancher.io/local-path"

// localPathProvisioner does for the local cluster what rancher's local-path
// provisioner does on kind: a hostPath PV in a folder on the node the scheduler
// picked, pinned there by node affinity. The claim-to-volume protocol (annotations,
// retries, events, reclaim) is sig-storage's provisioner library, as in rancher's.
type localPathProvisioner struct {
	client   kubernetes.Interface
	nodesDir string
}

func runLocalPathProvisioner(ctx context.Context, client kubernetes.Interface, nodesDir string) {
	p := &localPathProvisioner{client: client, nodesDir: nodesDir}
	controller.NewProvisionController(ctx, client, localPathProvisionerName, p, controller.LeaderElection(false)).Run(ctx)
}

// The folder of a volume on its node, as rancher's provisioner names it.
func volumeFolder(base, pvName string, claim *corev1.PersistentVolumeClaim) string {
	return filepath.Join(base, strings.Join([]string{pvName, claim.Namespace, claim.Name}, "_"))
}

func (p *localPathProvisioner) Provision(ctx context.Context, opts controller.ProvisionOptions) (*corev1.PersistentVolume, controller.ProvisioningState, error) {
	claim := opts.PVC
	if claim.Spec.Selector != nil {
		return nil, controller.ProvisioningFinished, errors.New("claim.Spec.Selector is not supported")
	}
	for _, mode := range claim.Spec.AccessModes {
		if mode != corev1.ReadWriteOnce && mode != corev1.ReadWriteOncePod {
			return nil, controller.ProvisioningFinished, errors.New("NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes")
		}
	}
	// Without a selected node (an Immediate class) there is no node to put the folder on.
	if opts.SelectedNode == nil {
		return nil, controller.ProvisioningFinished, errors.New("configuration error, no node was specified")
	}
	node := opts.SelectedNode.Name
	base, err := p.basePath(ctx, node)
	if err != nil {
		return nil, controller.ProvisioningFinished, err
	}
	path := volumeFolder(base, opts.PVName, claim)
	if err := os.MkdirAll(filepath.Join(p.nodesDir, node, path), 0o777); err != nil {
		return nil, controller.ProvisioningFinished, err
	}
	reclaim := corev1.PersistentVolumeReclaimDelete
	if opts.StorageClass.ReclaimPolicy != nil {
		reclaim = *opts.StorageClass.ReclaimPolicy
	}
	directory := corev1.HostPathDirectoryOrCreate
	mode := corev1.PersistentVolumeFilesystem
	if claim.Spec.VolumeMode != nil {
		mode = *claim.Spec.VolumeMode
	}
	return &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: opts.PVName},
		Spec: corev1.PersistentVolumeSpec{
			PersistentVolumeReclaimPolicy: reclaim,
			AccessModes:                   claim.Spec.AccessModes,
			VolumeMode:                    &mode,
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: claim.Spec.Resources.Requests[corev1.ResourceStorage]},
			PersistentVolumeSource: corev1.PersistentVolumeSource{
				HostPath: &corev1.HostPathVolumeSource{Path: path, Type: &directory},
			},
			NodeAffinity: &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{
				NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{
					Key: "kubernetes.io/hostname", Operator: corev1.NodeSelectorOpIn, Values: []string{node},
				}}}},
			}},
		},
	}, controller.ProvisioningFinished, nil
}

// Delete removes the volume's folder from its node, as the provisioner's teardown does.
func (p *localPathProvisioner) Delete(_ context.Context, pv *corev1.PersistentVolume) error {
	if pv.Spec.HostPath == nil || pv.Spec.NodeAffinity == nil || pv.Spec.NodeAffinity.Required == nil {
		return nil
	}
	for _, term := range pv.Spec.NodeAffinity.Required.NodeSelectorTerms {
		for _, req := range term.MatchExpressions {
			if req.Key == "kubernetes.io/hostname" && len(req.Values) == 1 {
				folder := filepath.Join(p.nodesDir, req.Values[0], filepath.Clean("/"+pv.Spec.HostPath.Path))
				return os.RemoveAll(folder)
			}
		}
	}
	return nil
}

// nodePathMap is config.json of the ConfigMap local-path-config, the provisioner's own configuration.
type nodePathMap struct {
	NodePathMap []struct {
		Node  string   `json:"node"`
		Paths []string `json:"paths"`
	} `json:"nodePathMap"`
}

const defaultPathNode = "DEFAULT_PATH_FOR_NON_LISTED_NODES"

func (p *localPathProvisioner) basePath(ctx context.Context, node string) (string, error) {
	cm, err := p.client.CoreV1().ConfigMaps("local-path-storage").Get(ctx, "local-path-config", metav1.GetOptions{})
	if err != nil {
		return "", fmt.Errorf("reading the provisioner's configuration: %w", err)
	}
	var config nodePathMap
	if err := json.Unmarshal([]byte(cm.Data["config.json"]), &config); err != nil {
		return "", fmt.Errorf("config.json of local-path-config: %w", err)
	}
	var fallback []string
	for _, entry := range config.NodePathMap {
		if entry.Node == node {
			fallback = entry.Paths
			break
		}
		if entry.Node == defaultPathNode {
			fallback = entry.Paths
		}
	}
	if len(fallback) == 0 {
		return "", fmt.Errorf("no local path available on node %s", node)
	}
	return fallback[0], nil
}
