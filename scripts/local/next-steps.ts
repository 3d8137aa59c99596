// What `npm start` prints once everything is up: how to reach it and what to try.
export interface NextStepsInput {
  seconds: number;
  apiUrl: string;
  kubeconfigPath: string;
  kubectlPath: string;
  webhookPort: number;
  webhookMetricsPort: number;
  reconcilerMetricsPort: number;
  logFiles: string[];
  demoNamespace: string;
}

export function nextSteps(s: NextStepsInput): string {
  const ns = s.demoNamespace;
  return `
longhorn-backup-guard is running on a local control plane (up in ${s.seconds.toFixed(1)} s).
  kube-apiserver  ${s.apiUrl} (Longhorn v1.12.1 CRDs; nothing runs Longhorn or binds volumes)
  webhook         https://127.0.0.1:${s.webhookPort}   metrics http://127.0.0.1:${s.webhookMetricsPort}/metrics
  reconciler      metrics http://127.0.0.1:${s.reconcilerMetricsPort}/metrics
  logs (JSON)     ${s.logFiles.join('\n                  ')}

In another terminal:

  export KUBECONFIG=${s.kubeconfigPath}
  alias kubectl=${s.kubectlPath}

1. Ask for backups with labels, and see the RecurringJob appear:

  kubectl apply -n ${ns} -f - <<'EOF'
  apiVersion: v1
  kind: PersistentVolumeClaim
  metadata:
    name: grafana
    labels:
      backup.vluwte.nl/enabled: "true"
      backup.vluwte.nl/start: "2100"
      backup.vluwte.nl/interval: "6"
  spec:
    accessModes: [ReadWriteOnce]
    resources: {requests: {storage: 1Gi}}
  EOF
  kubectl get pvc grafana -n ${ns} --show-labels   # the webhook filled in backup.vluwte.nl/name
  kubectl get recurringjobs -n longhorn-system     # backup-${ns}-grafana, cron 0 3,9,15,21 * * *

2. See a rejection, with a message that says what works:

  kubectl label pvc grafana -n ${ns} backup.vluwte.nl/interval=5 --overwrite

3. Play Longhorn and the PV binder (nothing else does here): the Volume, a PV bound to this PVC (its
   uid) whose volumeHandle names the Volume, the PVC Bound; then see the volume join the job:

  kubectl create -n longhorn-system -f - <<'EOF'
  {"apiVersion": "longhorn.io/v1beta2", "kind": "Volume", "metadata": {"name": "pvc-demo-1"}, "spec": {"size": "1073741824"}}
  EOF
  uid=$(kubectl get pvc grafana -n ${ns} -o jsonpath='{.metadata.uid}')
  kubectl create -f - <<EOF
  {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pvc-demo-1"}, "spec": {"capacity": {"storage": "1Gi"},
   "accessModes": ["ReadWriteOnce"], "storageClassName": "longhorn", "csi": {"driver": "driver.longhorn.io", "volumeHandle": "pvc-demo-1"},
   "claimRef": {"namespace": "${ns}", "name": "grafana", "uid": "$uid"}}}
  EOF
  kubectl patch pvc grafana -n ${ns} --type merge -p '{"spec":{"volumeName":"pvc-demo-1"}}'
  kubectl patch pvc grafana -n ${ns} --subresource status --type merge -p '{"status":{"phase":"Bound"}}'
  kubectl get volumes.longhorn.io pvc-demo-1 -n longhorn-system --show-labels

4. The story so far, and the metrics Prometheus would scrape:

  kubectl describe pvc grafana -n ${ns}
  curl -s http://127.0.0.1:${s.reconcilerMetricsPort}/metrics | grep '^backup_'

Ctrl-C stops everything and removes its files.
`;
}
