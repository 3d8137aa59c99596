// The apiserver's audit log (a private control plane started with `auditLog: true`): who asked for
// what, when it arrived, how it was answered. What a component really sent, seen by the apiserver.
import { readFile } from 'node:fs/promises';
import { RbacAuthorizationV1Api } from '@kubernetes/client-node';
import type { TestCluster } from '../harness/test-cluster.ts';

export interface AuditEvent {
  readonly verb: string;
  /** The impersonated user when there is one (the tests give each component a user of its own). */
  readonly user: string;
  readonly resource: string;
  readonly subresource: string | undefined;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly code: number;
  readonly receivedAtMs: number;
  readonly answeredAtMs: number;
}

interface RawEvent {
  stage?: string;
  verb?: string;
  user?: { username?: string };
  impersonatedUser?: { username?: string };
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
  requestReceivedTimestamp?: string;
  stageTimestamp?: string;
}

const MUTATING = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

export const isMutating = (event: AuditEvent): boolean => MUTATING.has(event.verb);

/** The completed requests (stage ResponseComplete) in the log so far. */
export async function readAuditLog(cluster: TestCluster): Promise<AuditEvent[]> {
  const path = cluster.controlPlane?.auditLogPath;
  if (path === undefined) throw new Error('the audit log is kept only by a private control plane');
  const text = await readFile(path, 'utf8');
  const events: AuditEvent[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const raw = JSON.parse(line) as RawEvent;
    if (raw.stage !== 'ResponseComplete' || raw.objectRef?.resource === undefined) continue;
    events.push({
      verb: raw.verb ?? '',
      user: raw.impersonatedUser?.username ?? raw.user?.username ?? '',
      resource: raw.objectRef.resource,
      subresource: raw.objectRef.subresource,
      namespace: raw.objectRef.namespace,
      name: raw.objectRef.name,
      code: raw.responseStatus?.code ?? 0,
      receivedAtMs: Date.parse(raw.requestReceivedTimestamp ?? ''),
      answeredAtMs: Date.parse(raw.stageTimestamp ?? ''),
    });
  }
  return events;
}

/** A user of the test's own with cluster-admin rights, for a component to be told apart by in the log. */
export async function grantClusterAdmin(cluster: TestCluster, user: string): Promise<void> {
  await cluster
    .kubeConfig()
    .makeApiClient(RbacAuthorizationV1Api)
    .createClusterRoleBinding({
      body: {
        metadata: { name: `lbg-test-${user}` },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
      },
    });
}
