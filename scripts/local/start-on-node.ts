// `npm start -- --node`: the product as users run it, on a single node of its own: the images
// built from the Dockerfiles, the shipped manifests applied, the pods on a kubelet + containerd
// (tests/harness/node). Prints how to reach it; Ctrl-C stops the node and the control plane.
import { nodeUnsupported, startShippedCluster } from '../../tests/harness/node/shipped-cluster.ts';

export async function startOnNode(): Promise<never> {
  const log = (message: string) => process.stderr.write(`[start --node] ${message}\n`);
  const unsupported = await nodeUnsupported();
  if (unsupported) {
    log(`cannot start a node here: ${unsupported}`);
    process.exit(1);
  }
  const started = Date.now();
  const shipped = await startShippedCluster(log);
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      log('stopping the node and the control plane');
      void shipped.stop().finally(() => process.exit(0));
    });
  }
  const { info } = shipped.cluster;
  process.stdout.write(`
longhorn-backup-guard is running as shipped, as pods on a node (up in ${((Date.now() - started) / 1000).toFixed(1)} s):
the images built from Dockerfile.webhook and Dockerfile.reconciler, installed with manifests/core.
  kube-apiserver  ${info.apiUrl} (Longhorn's CRDs; nothing runs Longhorn or binds volumes)
  node files      ${shipped.node.runDir} (kubelet.log, containerd.log, ...)

In another terminal:

  export KUBECONFIG=${info.kubeconfigPath}
  alias kubectl=${info.kubectlPath}
  kubectl get pods -n longhorn-backup-guard -o wide
  kubectl logs -n longhorn-backup-guard deployment/longhorn-backup-guard-webhook
  kubectl create namespace demo
  kubectl apply -n demo -f - <<'EOF'
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
  labels: { backup.vluwte.nl/enabled: "true", backup.vluwte.nl/name: data, backup.vluwte.nl/retain: "0" }
spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 1Gi } } }
EOF

The webhook pod refuses it through its Service; fix the retain label, apply again, then
  kubectl get recurringjobs -n longhorn-system
Ctrl-C stops everything and removes its files.
`);
  return new Promise<never>(() => setInterval(() => {}, 1 << 30));
}
