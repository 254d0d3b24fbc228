// A stand-in for docker, kind and minikube, for tests on machines without a Docker engine.
// Invoked as: node stand-in-tool.mjs <dir> <tool> ARGS…; <dir>/state.json says what exists
// (is the Docker daemon up, which kind clusters and minikube profiles, where node folders
// are), and every call is appended to <dir>/calls.jsonl with its argv and stdin. Answers
// (output, stream, exit code) follow what the real tools print, enough for kubedrill.
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";

const [dir, tool, ...argv] = process.argv.slice(2);
const stateFile = join(dir, "state.json");
const state = JSON.parse(readFileSync(stateFile, "utf8"));
const stdin = process.stdin.isTTY ? "" : readFileSync(0, "utf8");
appendFileSync(join(dir, "calls.jsonl"), `${JSON.stringify({ tool, argv, stdin })}\n`);

function exit(code, stdout = "", stderr = "") {
  if (stdout) process.stdout.write(stdout.endsWith("\n") ? stdout : `${stdout}\n`);
  if (stderr) process.stderr.write(stderr.endsWith("\n") ? stderr : `${stderr}\n`);
  process.exit(code);
}

const save = () => writeFileSync(stateFile, JSON.stringify(state, null, 2));
const nodeFolder = (node) => join(state.nodesRoot, node);
const onNode = (node, path) => join(nodeFolder(node), path);

/** The commands kubedrill runs on a node, carried out on the node's folder. */
function runOnNode(node, words, unknownNode) {
  if (!existsSync(nodeFolder(node))) exit(1, "", unknownNode);
  const [command, ...args] = words;
  const path = args.at(-1);
  if (command === undefined || command === "bash" || command === "sh") exit(0);
  if (command === "cat") {
    if (!existsSync(onNode(node, path))) exit(1, "", `cat: ${path}: No such file or directory`);
    process.stdout.write(readFileSync(onNode(node, path)));
    exit(0);
  }
  if (command === "rm" && args[0] === "-rf") {
    rmSync(onNode(node, path), { recursive: true, force: true });
    exit(0);
  }
  if (command === "mkdir" && args[0] === "-p") {
    mkdirSync(onNode(node, path), { recursive: true });
    exit(0);
  }
  exit(127, "", `stand-in: no such command on the node: ${words.join(" ")}`);
}

/** "node:/path" → [node, path]; a local path → undefined. */
const nodePath = (arg) =>
  /^[^/:]+:\//.test(arg) ? [arg.slice(0, arg.indexOf(":")), arg.slice(arg.indexOf(":") + 1)] : undefined;

function copy(source, destination, { createFolders, missing }) {
  const from = nodePath(source);
  const to = nodePath(destination);
  const src = from ? onNode(...from) : source;
  const dst = to ? onNode(...to) : destination;
  if (!existsSync(src)) exit(1, "", missing(from ? from[1] : source, from?.[0] ?? to?.[0]));
  if (createFolders) mkdirSync(dirname(dst), { recursive: true });
  else if (!existsSync(dirname(dst)))
    exit(1, "", missing(to ? dirname(to[1]) : dirname(destination), to?.[0]));
  copyFileSync(src, dst);
  exit(0);
}

const daemonDown =
  "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?";

function docker() {
  if (!state.dockerRunning) exit(1, "", daemonDown);
  const [command, ...rest] = argv;
  if (command === "version") exit(0, "28.2.2");
  if (command === "exec") {
    const args = rest.filter((a) => !/^-(i|t|it)$/.test(a));
    const [node, ...words] = args;
    runOnNode(node, words, `Error response from daemon: No such container: ${node}`);
  }
  if (command === "cp") {
    copy(rest[0], rest[1], {
      createFolders: false,
      missing: (path, node) =>
        `Error response from daemon: Could not find the file ${path} in container ${node}`,
    });
  }
  if (command === "ps") {
    const cluster = rest.find((a) => a.startsWith("label=io.x-k8s.kind.cluster="))?.split("=")[2];
    const nodes = state.kindClusters[cluster] ?? [];
    exit(
      0,
      nodes
        .map(
          (n) =>
            `${n.name}\t${n.state}\t${n.state === "running" ? "Up 5 minutes" : "Exited (137) 1 minute ago"}`,
        )
        .join("\n"),
    );
  }
  exit(125, "", `stand-in docker: unknown command ${argv.join(" ")}`);
}

const flag = (args, name) => args[args.indexOf(name) + 1];

function kind() {
  const [command, object] = argv;
  const name = flag(argv, "--name");
  if (command === "version") exit(0, "kind v0.29.0 go1.24.2 linux/amd64");
  if (command === "get" && object === "clusters") {
    const names = Object.keys(state.kindClusters);
    exit(0, names.join("\n"), names.length ? "" : "No kind clusters found.");
  }
  if (!state.dockerRunning) exit(1, "", `ERROR: failed to list nodes: ${daemonDown}`);
  if (command === "create" && object === "cluster") {
    if (state.kindClusters[name]) {
      exit(
        1,
        "",
        `ERROR: failed to create cluster: node(s) already exist for a cluster with the name "${name}"`,
      );
    }
    const config = readFileSync(flag(argv, "--config"), "utf8");
    const workers = (config.match(/role: worker/g) ?? []).length;
    const suffix = (i) => (i === 0 ? "" : String(i + 1));
    state.kindClusters[name] = [
      { name: `${name}-control-plane`, state: "running" },
      ...Array.from({ length: workers }, (_, i) => ({
        name: `${name}-worker${suffix(i)}`,
        state: "running",
      })),
    ];
    save();
    exit(
      0,
      "",
      `Creating cluster "${name}" ...\n ✓ Ensuring node image\n ✓ Joining worker nodes\nSet kubectl context to "kind-${name}"`,
    );
  }
  if (command === "delete" && object === "cluster") {
    delete state.kindClusters[name];
    save();
    exit(0, "", `Deleting cluster "${name}" ...`);
  }
  if (command === "export" && object === "kubeconfig") {
    if (!state.kindClusters[name])
      exit(1, "", `ERROR: could not locate any control plane nodes for cluster named '${name}'`);
    exit(0, "", `Set kubectl context to "kind-${name}"`);
  }
  exit(1, "", `stand-in kind: unknown command ${argv.join(" ")}`);
}

/** Splits a command line as a POSIX shell would, for the words and single quotes kubedrill sends. */
function shellWords(line) {
  return [...line.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) =>
    m[1] !== undefined ? m[1].replaceAll("'\\''", "'") : m[2],
  );
}

function minikube() {
  const at = argv.indexOf("-p");
  const profile = at >= 0 ? argv[at + 1] : "minikube";
  const args = at >= 0 ? [...argv.slice(0, at), ...argv.slice(at + 2)] : argv;
  const [command, ...rest] = args;
  const nodes = state.minikubeProfiles[profile];
  const notFound = `🤷  Profile "${profile}" not found. Run "minikube profile list" to view all profiles.`;
  if (command === "version") exit(0, "v1.36.0");
  if (command === "start") {
    const count = Number(rest.find((a) => a.startsWith("--nodes="))?.split("=")[1] ?? 1);
    state.minikubeProfiles[profile] = Array.from({ length: count }, (_, i) =>
      i === 0 ? profile : `${profile}-m0${i + 1}`,
    );
    save();
    exit(
      0,
      `😄  [${profile}] minikube v1.36.0\n🏄  Done! kubectl is now configured to use "${profile}" cluster`,
    );
  }
  if (command === "delete") {
    delete state.minikubeProfiles[profile];
    save();
    exit(0, `🔥  Deleting "${profile}" in docker ...\n💀  Removed all traces of the "${profile}" cluster.`);
  }
  if (!nodes) exit(85, "", notFound);
  if (command === "status") {
    const rows = nodes.map((name, i) => ({
      Name: name,
      Host: "Running",
      Kubelet: "Running",
      APIServer: i === 0 ? "Running" : "Irrelevant",
      Kubeconfig: i === 0 ? "Configured" : "Irrelevant",
      Worker: i > 0,
    }));
    exit(0, JSON.stringify(rows.length === 1 ? rows[0] : rows));
  }
  if (command === "ssh") {
    const node = flag(rest, "-n");
    const dash = rest.indexOf("--");
    const words = dash >= 0 ? shellWords(rest.slice(dash + 1).join(" ")) : [];
    const unknown = `❌  Exiting due to GUEST_NODE_RETRIEVE: retrieving node: Could not find node ${node}`;
    if (!nodes.includes(node)) exit(80, "", unknown);
    runOnNode(node, words[0] === "sudo" ? words.slice(1) : words, unknown);
  }
  if (command === "cp") {
    copy(rest[0], rest[1], {
      createFolders: true,
      missing: (path) => `❌  Exiting due to GUEST_CP: ${path}: no such file or directory`,
    });
  }
  exit(1, "", `stand-in minikube: unknown command ${argv.join(" ")}`);
}

({ docker, kind, minikube })[tool]();
