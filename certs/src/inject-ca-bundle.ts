// Writes the CA bundle into a webhook configuration's caBundle fields when they differ (see
// ca-bundle-patch.ts for why a JSON Patch). The bundle is chosen from what the configuration
// carries now (ca-bundle-contents.ts keeps a replaced CA for a while). A configuration that does
// not exist (yet) is reported, not an error: the manager tries again on its next check.
import type { AdmissionregistrationV1Api } from '@kubernetes/client-node';
import { isNotFound } from '@longhorn-backup-guard/shared/kube/api-errors';
import { jsonPatch } from '@longhorn-backup-guard/shared/kube/patch-content-types';
import { caBundleOf, caBundlePatch, caBundlePemsOf, type WebhookCaBundles } from './ca-bundle-patch.ts';

export type WebhookConfigurationKind = 'mutating' | 'validating';
export type InjectionOutcome = 'updated' | 'unchanged' | 'absent';

export async function injectCaBundle(
  api: AdmissionregistrationV1Api,
  kind: WebhookConfigurationKind,
  name: string,
  /** The PEM bundle to carry, given the PEM text of the caBundles the configuration carries now. */
  bundleFor: (carriedPems: readonly string[]) => string,
): Promise<InjectionOutcome> {
  let configuration: WebhookCaBundles;
  try {
    configuration =
      kind === 'mutating'
        ? await api.readMutatingWebhookConfiguration({ name })
        : await api.readValidatingWebhookConfiguration({ name });
  } catch (error) {
    if (isNotFound(error)) return 'absent';
    throw error;
  }
  const patch = caBundlePatch(configuration, caBundleOf(bundleFor(caBundlePemsOf(configuration))));
  if (patch.length === 0) return 'unchanged';
  if (kind === 'mutating') await api.patchMutatingWebhookConfiguration({ name, body: patch }, jsonPatch);
  else await api.patchValidatingWebhookConfiguration({ name, body: patch }, jsonPatch);
  return 'updated';
}
