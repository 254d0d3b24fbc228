/**
 * For each seed task, a correct solution other than the reference one (any
 * correct way must pass) and a plausible mistake (it must fail exactly the checks
 * listed). Scripts are bash with {{vars}} filled, run with the real kubectl.
 */
interface Attempt {
  how: string;
  script: string;
}

export const otherSolutions: Record<string, { correct: Attempt; wrong: Attempt & { fails: string[] } }> = {
  "pod-run-nginx": {
    correct: {
      how: "a YAML manifest with another container name",
      script: `kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: pods-cli, labels: {tier: frontend, app: web}}
spec: {containers: [{name: nginx, image: "nginx:1.27"}]}
YAML`,
    },
    wrong: {
      how: "the untagged nginx image",
      script: "kubectl -n pods-cli run web --image=nginx --labels=tier=frontend",
      fails: ["Pod web runs the image nginx:1.27"],
    },
  },
  "pod-from-yaml": {
    correct: {
      how: "cpu written as 0.1 and the pod made with kubectl create",
      script: `mkdir -p {{answers}}
cat > {{answers}}/web-yaml.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: web-yaml
spec:
  containers:
  - name: nginx
    image: nginx:1.27
    ports: [{containerPort: 80, name: http}]
    resources: {requests: {cpu: "0.1", memory: 64Mi}}
YAML
kubectl -n pods-yaml create -f {{answers}}/web-yaml.yaml`,
    },
    wrong: {
      how: "requests forgotten",
      script: `mkdir -p {{answers}}
kubectl -n pods-yaml run web-yaml --image=nginx:1.27 --port=80 --dry-run=client -o yaml > {{answers}}/web-yaml.yaml
kubectl -n pods-yaml apply -f {{answers}}/web-yaml.yaml`,
      fails: ["Pod web-yaml requests 100m cpu and 64Mi memory"],
    },
  },
  "pod-multi-container": {
    correct: {
      how: "sleep given as a shell command, the IP read from kubectl get -o wide",
      script: `mkdir -p {{answers}}
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: duo, namespace: pods-multi}
spec:
  containers:
  - {name: web, image: "nginx:1.27", ports: [{containerPort: 80}]}
  - {name: centos, image: "centos:7", command: [/bin/sh, -c], args: ["sleep infinity"]}
YAML
kubectl -n pods-multi wait --for=condition=Ready pod/duo --timeout=60s
kubectl -n pods-multi get pod duo -o wide --no-headers | awk '{print $6}' > {{answers}}/pod-ip.txt`,
    },
    wrong: {
      how: "the node's IP written instead of the pod's",
      script: `mkdir -p {{answers}}
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: duo, namespace: pods-multi}
spec:
  containers:
  - {name: centos, image: "centos:7", command: [sleep, infinity]}
  - {name: web, image: "nginx:1.27", ports: [{containerPort: 80}]}
YAML
kubectl -n pods-multi wait --for=condition=Ready pod/duo --timeout=60s
kubectl -n pods-multi get pod duo -o jsonpath='{.status.hostIP}' > {{answers}}/pod-ip.txt`,
      fails: ["pod-ip.txt holds the IP both containers share"],
    },
  },
  "pod-pending-scheduler": {
    correct: {
      how: "the label put on the second worker with kubectl edit-free patch",
      script: `kubectl patch node kubedrill-worker2 -p '{"metadata":{"labels":{"disktype":"ssd"}}}'`,
    },
    wrong: {
      how: "the pod recreated without its nodeSelector",
      script: `kubectl -n pods-pending get pod pending-app -o json \\
  | jq 'del(.spec.nodeSelector, .metadata.uid, .metadata.resourceVersion, .metadata.creationTimestamp, .status)' \\
  | kubectl replace --force -f -`,
      fails: [
        "Its node is labeled disktype=ssd",
        "The pod's nodeSelector is unchanged",
        "It is the same pod that setup created",
      ],
    },
  },
  "pod-fix-redis-image": {
    correct: {
      how: "the file fixed and the pod replaced with replace --force",
      script: `mkdir -p {{answers}}
kubectl run redis --image=redis123 --dry-run=client -o yaml > {{answers}}/redis.yaml
kubectl -n pods-redis create -f {{answers}}/redis.yaml
sed -i 's/redis123/redis/' {{answers}}/redis.yaml
kubectl -n pods-redis replace --force -f {{answers}}/redis.yaml`,
    },
    wrong: {
      how: "the image changed to another name that does not exist",
      script: `mkdir -p {{answers}}
kubectl run redis --image=redis123 --dry-run=client -o yaml > {{answers}}/redis.yaml
kubectl -n pods-redis create -f {{answers}}/redis.yaml
kubectl -n pods-redis set image pod/redis redis=redis124`,
      fails: ["Pod redis uses the image redis", "Pod redis is Running"],
    },
  },
  "pod-liveness-probe": {
    correct: {
      how: "the probe aimed at a named port that resolves to 80",
      script: `kubectl -n pods-probe replace --force -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: healthy, namespace: pods-probe}
spec:
  containers:
  - name: healthy
    image: nginx:1.27
    ports: [{name: http, containerPort: 80}]
    livenessProbe:
      httpGet: {port: http}
      initialDelaySeconds: 5
      periodSeconds: 10
      failureThreshold: 3
YAML`,
    },
    wrong: {
      how: "a TCP probe instead of HTTP GET",
      script: `kubectl -n pods-probe replace --force -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: healthy, namespace: pods-probe}
spec:
  containers:
  - name: healthy
    image: nginx:1.27
    livenessProbe:
      tcpSocket: {port: 80}
      initialDelaySeconds: 5
      periodSeconds: 10
      failureThreshold: 3
YAML`,
      fails: ["The container has an HTTP GET livenessProbe on / port 80"],
    },
  },
  "pod-init-container": {
    correct: {
      how: "commands given as args, volumes listed in another order",
      script: `kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: app-init, namespace: pods-init}
spec:
  volumes: [{name: cache, emptyDir: {}}, {name: work, emptyDir: {}}]
  initContainers:
  - {name: init-setup, image: "busybox:1.36", command: [sh], args: [-c, "date > /work/started"], volumeMounts: [{name: work, mountPath: /work}]}
  containers:
  - {name: app, image: "busybox:1.36", command: [sleep], args: ["3600"], volumeMounts: [{name: cache, mountPath: /cache}, {name: work, mountPath: /work}]}
YAML`,
    },
    wrong: {
      how: "the init container does not mount the volume",
      script: `kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: app-init, namespace: pods-init}
spec:
  volumes: [{name: work, emptyDir: {}}]
  initContainers:
  - {name: init-setup, image: "busybox:1.36", command: [sh, -c, "echo ready > /work/ready"]}
  containers:
  - {name: app, image: "busybox:1.36", command: [sleep, "3600"], volumeMounts: [{name: work, mountPath: /work}]}
YAML`,
      fails: ["Init container init-setup writes into /work"],
    },
  },
  "pod-infra-container": {
    correct: {
      how: "the value cut out with grep and cut",
      script: `mkdir -p {{answers}}
kubedrill node cp {{worker}}:/etc/containerd/config.toml /tmp/kubedrill-alt.toml
grep sandbox_image /tmp/kubedrill-alt.toml | cut -d'"' -f2 > {{answers}}/pause-image.txt`,
    },
    wrong: {
      how: "an older pause image from memory",
      script: `mkdir -p {{answers}}
echo registry.k8s.io/pause:3.9 > {{answers}}/pause-image.txt`,
      fails: ["pause-image.txt names the node's infra container image"],
    },
  },
  "static-pod": {
    correct: {
      how: "a hand-written manifest with a named port",
      script: `cat > /tmp/kubedrill-static.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: static-web
  namespace: pods-static
spec:
  containers:
  - name: web
    image: nginx:1.27
    ports:
    - name: http
      containerPort: 80
YAML
kubedrill node cp /tmp/kubedrill-static.yaml {{worker}}:/etc/kubernetes/manifests/static-web.yaml`,
    },
    wrong: {
      how: "an ordinary pod named like the mirror pod",
      script: `kubectl -n pods-static run static-web-{{worker}} --image=nginx:1.27 --port=80 --overrides='{"spec":{"nodeName":"{{worker}}"}}'`,
      fails: [
        "The manifest static-web.yaml is in the node's staticPodPath",
        "Mirror pod static-web-kubedrill-worker exists",
      ],
    },
  },
};
