import { testEnv } from "./paths.js";

// Every in-process call (KubeApi.load, node access, answer files) sees the test cluster.
Object.assign(process.env, testEnv);
