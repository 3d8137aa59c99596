// Writes the CA bundle into a webhook configuration's caBundle fields when they differ (see
// ca-bundle-patch.ts for why a JSON Patch). The bundle is chosen from what the configuration
// carries now (ca-bundle-contents.ts keeps a replaced CA for a while). A configuration that does
// not exist (yet) is reported, not an error: the manager tries again on its next check.
import { isNotFound } from '@longhorn-backup-guard/shared/kube/api-errors';
import { objectPath } from '@longhorn-backup-guard/shared/kube/informer/resource-path';
import type { KubeClient } from '@longhorn-backup-guard/shared/kube/kube-client';
import { caBundleOf, caBundlePatch, caBundlePemsOf, type WebhookCaBundles } from './ca-bundle-patch.ts';

export type WebhookConfigurationKind = 'mutating' | 'validating';
export type InjectionOutcome = 'updated' | 'unchanged' | 'absent';

export async function injectCaBundle(
  client: KubeClient,
  kind: WebhookConfigurationKind,
  name: string,
  /** The PEM bundle to carry, given the PEM text of the caBundles the configuration carries now. */
  bundleFor: (carriedPems: readonly string[]) => string,
): Promise<InjectionOutcome> {
  const path = objectPath(
    { group: 'admissionregistration.k8s.io', version: 'v1', plural: `${kind}webhookconfigurations` },
    name,
  );
  let configuration: WebhookCaBundles;
  try {
    configuration = (await client.request<WebhookCaBundles>({ method: 'GET', path })).body;
  } catch (error) {
    if (isNotFound(error)) return 'absent';
    throw error;
  }
  const patch = caBundlePatch(configuration, caBundleOf(bundleFor(caBundlePemsOf(configuration))));
  if (patch.length === 0) return 'unchanged';
  await client.request({ method: 'PATCH', path, body: patch, patch: 'json' });
  return 'updated';
}
