// The webhook's ServiceAccount may patch its webhook configurations only to write their caBundle
// (issue 11, item 4): manifests/core/webhook-admission-policy.yaml on the real apiserver, with the
// shipped RBAC, both moved to this test's namespace and configuration names. A patch of the rules
// as that ServiceAccount is refused; the caBundle injection still works; an admin is not affected.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdmissionregistrationV1Api, ApiException } from '@kubernetes/client-node';
import { jsonPatch } from '../harness/patch-content-types.ts';
import { parseAllDocuments, stringify } from 'yaml';
import { repoRoot } from '../harness/paths.ts';
import { shippedRbac } from '../harness/shipped-rbac.ts';
import { useTestCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';
import { deleteConfigurations, registerConfigurations, registrationFor, runId } from './webhook-support.ts';

const cluster = await useTestCluster();
const kc = cluster.kubeConfig();
const registration = registrationFor(runId());
const guardNs = await cluster.createNamespace('lbg-vap-guard');
const longhornNs = await cluster.createNamespace('lbg-vap-longhorn');
const clusterName = `lbg-vap-${registration.id}`;
const identity = `system:serviceaccount:${guardNs}:longhorn-backup-guard-webhook`;

const rbac = shippedRbac({
  manifest: 'manifests/core/webhook-rbac.yaml',
  clusterName,
  guardNamespace: guardNs,
  longhornNamespace: longhornNs,
  renameResource: (name) => (name === 'longhorn-backup-guard' ? registration.configurationName : name),
});
// The shipped policy, for this test's ServiceAccount and under a name of its own.
const policy = parseAllDocuments(readFileSync(join(repoRoot, 'manifests/core/webhook-admission-policy.yaml'), 'utf8'))
  .map((doc) => {
    const object = doc.toJS() as {
      metadata: { name: string };
      spec: { policyName?: string; matchConditions?: { expression: string }[] };
    };
    object.metadata.name = clusterName;
    if (object.spec.policyName !== undefined) object.spec.policyName = clusterName;
    for (const condition of object.spec.matchConditions ?? [])
      condition.expression = condition.expression.replace(
        'system:serviceaccount:longhorn-backup-guard:',
        `system:serviceaccount:${guardNs}:`,
      );
    return stringify(object);
  })
  .join('---\n');

after(async () => {
  await deleteConfigurations(kc, registration);
  for (const kind of [
    'validatingadmissionpolicybinding',
    'validatingadmissionpolicy',
    'clusterrolebinding',
    'clusterrole',
  ])
    await cluster.kubectl(['delete', kind, clusterName, '--ignore-not-found']);
});

test("as the webhook's ServiceAccount: a patch of the rules is refused, the caBundle injection works", async () => {
  await registerConfigurations(kc, registration, 9, 'Ignore');
  for (const yaml of [rbac, policy]) {
    const applied = await cluster.kubectl(['apply', '-f', '-'], { input: yaml });
    assert.equal(applied.code, 0, applied.stderr);
  }
  const asWebhook = cluster.impersonatingKubeConfig(identity).makeApiClient(AdmissionregistrationV1Api);
  const name = registration.configurationName;
  const widen = [{ op: 'replace', path: '/webhooks/0/rules/0/resources', value: ['*'] }];
  const refused = (error: unknown) =>
    error instanceof ApiException &&
    error.code >= 400 &&
    /may change only clientConfig\.caBundle/.test(String(error.body));
  // The policy takes effect within a moment: probe with dry runs (admission runs, nothing is stored).
  await waitFor(
    'the policy in force',
    async () => {
      try {
        await asWebhook.patchValidatingWebhookConfiguration({ name, body: widen, dryRun: 'All' }, jsonPatch);
        return undefined;
      } catch (error) {
        return refused(error) ? true : undefined;
      }
    },
    30_000,
  );
  await assert.rejects(asWebhook.patchValidatingWebhookConfiguration({ name, body: widen }, jsonPatch), refused);
  await assert.rejects(asWebhook.patchMutatingWebhookConfiguration({ name, body: widen }, jsonPatch), refused);
  await assert.rejects(
    asWebhook.patchMutatingWebhookConfiguration(
      { name, body: [{ op: 'replace', path: '/webhooks/0/failurePolicy', value: 'Fail' }] },
      jsonPatch,
    ),
    refused,
  );
  await assert.rejects(
    asWebhook.patchValidatingWebhookConfiguration(
      { name, body: [{ op: 'replace', path: '/webhooks/0/clientConfig/url', value: 'https://evil.example/' }] },
      jsonPatch,
    ),
    refused,
  );

  // What the certificate manager does: a JSON Patch of each webhook's caBundle.
  const caBundle = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
  const inject = [{ op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: caBundle }];
  await asWebhook.patchValidatingWebhookConfiguration({ name, body: inject }, jsonPatch);
  await asWebhook.patchMutatingWebhookConfiguration({ name, body: inject }, jsonPatch);
  const admin = kc.makeApiClient(AdmissionregistrationV1Api);
  const stored = await admin.readValidatingWebhookConfiguration({ name });
  assert.equal(stored.webhooks?.[0]?.clientConfig.caBundle, caBundle);
  assert.deepEqual(stored.webhooks?.[0]?.rules?.[0]?.resources, ['persistentvolumeclaims'], 'the rules are unchanged');
  // Anyone else (an admin) is not concerned by the policy.
  await admin.patchValidatingWebhookConfiguration(
    { name, body: [{ op: 'replace', path: '/webhooks/0/timeoutSeconds', value: 7 }], dryRun: 'All' },
    jsonPatch,
  );
});
