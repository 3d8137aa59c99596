// Realistic AdmissionReview bodies for a PVC CREATE, as kube-apiserver sends them after
// `kubectl apply`: userInfo, options, managedFields and the last-applied annotation (about 2.5 KB).
import { backupLabelKeys } from '@longhorn-backup-guard/shared/intent/label-keys';
import { DEFAULT_LABEL_PREFIX } from '@longhorn-backup-guard/shared/config/guard-config';

export const BENCH_NAMESPACE = 'bench-apps';
export const LONGHORN_STORAGE_CLASS = 'longhorn';

/** A full set of valid backup labels (every setting given, none left to the defaults). */
export function validBackupLabels(name: string): Record<string, string> {
  const keys = backupLabelKeys(DEFAULT_LABEL_PREFIX);
  return {
    [keys.enabled]: 'true',
    [keys.name]: name,
    [keys.retain]: '14',
    [keys.interval]: '6',
    [keys.start]: '2100',
    [keys.fullBackupInterval]: '4',
    [keys.concurrency]: '2',
  };
}

function pvcObject(name: string, labels: Record<string, string>): Record<string, unknown> {
  const spec = {
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: '20Gi' } },
    storageClassName: LONGHORN_STORAGE_CLASS,
    volumeMode: 'Filesystem',
  };
  const allLabels = {
    'app.kubernetes.io/name': 'postgres',
    'app.kubernetes.io/instance': name,
    'app.kubernetes.io/part-of': 'billing',
    ...labels,
  };
  const lastApplied = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { annotations: {}, labels: allLabels, name, namespace: BENCH_NAMESPACE },
    spec,
  };
  const labelFields = Object.fromEntries(Object.keys(allLabels).map((key) => [`f:${key}`, {}]));
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name,
      namespace: BENCH_NAMESPACE,
      creationTimestamp: null,
      labels: allLabels,
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify(lastApplied)}\n` },
      managedFields: [
        {
          manager: 'kubectl-client-side-apply',
          operation: 'Update',
          apiVersion: 'v1',
          time: '2026-11-23T10:00:00Z',
          fieldsType: 'FieldsV1',
          fieldsV1: {
            'f:metadata': {
              'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} },
              'f:labels': { '.': {}, ...labelFields },
            },
            'f:spec': {
              'f:accessModes': {},
              'f:resources': { 'f:requests': { '.': {}, 'f:storage': {} } },
              'f:storageClassName': {},
              'f:volumeMode': {},
            },
          },
        },
      ],
    },
    spec,
    status: { phase: 'Pending' },
  };
}

/** A CREATE review of `name` carrying `labels`; the uid is a placeholder the load stays with. */
export function createReview(name: string, labels: Record<string, string>): Record<string, unknown> {
  const resource = { group: '', version: 'v1', resource: 'persistentvolumeclaims' };
  const kind = { group: '', version: 'v1', kind: 'PersistentVolumeClaim' };
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: '0f3c6a52-8a6e-4d3b-9d7e-6f2b1c4a9e10',
      kind,
      resource,
      requestKind: kind,
      requestResource: resource,
      name,
      namespace: BENCH_NAMESPACE,
      operation: 'CREATE',
      userInfo: {
        username: 'jane@example.com',
        uid: 'c2a1d8e4-3b7f-4a65-9c12-8e0f5d6b7a34',
        groups: ['platform-team', 'system:authenticated'],
        extra: { 'authentication.kubernetes.io/credential-id': ['JTI=5b0e8f2c-7d41-4c9a-a3e6-1f2d3c4b5a69'] },
      },
      object: pvcObject(name, labels),
      oldObject: null,
      dryRun: false,
      options: {
        apiVersion: 'meta.k8s.io/v1',
        kind: 'CreateOptions',
        fieldManager: 'kubectl-client-side-apply',
        fieldValidation: 'Strict',
      },
    },
  };
}

export interface BenchCase {
  readonly id: string;
  readonly path: '/validate' | '/mutate';
  readonly description: string;
  readonly body: string;
  /** What the webhook must answer, checked once before the load. */
  readonly expect: { readonly allowed: boolean; readonly patch: boolean };
}

export function benchCases(): BenchCase[] {
  const valid = JSON.stringify(createReview('billing-db-0', validBackupLabels('billing-db')));
  const keys = backupLabelKeys(DEFAULT_LABEL_PREFIX);
  const invalid = JSON.stringify(
    createReview('billing-db-0', { ...validBackupLabels('billing-db'), [keys.interval]: '5', [keys.start]: '2460' }),
  );
  const { [keys.name]: _omitted, ...withoutName } = validBackupLabels('billing-db');
  const unnamed = JSON.stringify(createReview('billing-db-0', withoutName));
  return [
    {
      id: 'validate-allowed',
      path: '/validate',
      description: 'CREATE, full valid labels, /validate: allowed',
      body: valid,
      expect: { allowed: true, patch: false },
    },
    {
      id: 'mutate-nothing',
      path: '/mutate',
      description: 'CREATE, full valid labels, /mutate: allowed, nothing to default',
      body: valid,
      expect: { allowed: true, patch: false },
    },
    {
      id: 'mutate-patch',
      path: '/mutate',
      description: 'CREATE, name label absent, /mutate: allowed with a JSON Patch',
      body: unnamed,
      expect: { allowed: true, patch: true },
    },
    {
      id: 'validate-denied',
      path: '/validate',
      description: 'CREATE, interval 5 and start 2460, /validate: denied with messages',
      body: invalid,
      expect: { allowed: false, patch: false },
    },
  ];
}
