// The JSON Patch that puts the CA bundle into every webhook's clientConfig.caBundle, or none when all
// already carry it. Why a JSON Patch per index: `webhooks` is a list, and a merge patch replaces a
// list wholesale (it would write back rules and selectors as we read them, undoing a concurrent
// `kubectl apply`); a full replace with resourceVersion would fail on any unrelated change. The
// patch touches only the caBundle fields, and the `test` on each webhook's name makes the apiserver
// refuse the whole patch if the list was reordered or shortened since we read it (we then retry).

export interface WebhookCaBundles {
  readonly webhooks?: ReadonlyArray<{ readonly name: string; readonly clientConfig?: { readonly caBundle?: string } }>;
}

export interface JsonPatchOperation {
  readonly op: 'test' | 'add';
  readonly path: string;
  readonly value: unknown;
}

/** caBundle is the base64 of the PEM text (one CA, or a bundle of them). */
export function caBundleOf(caCertPem: string): string {
  return Buffer.from(caCertPem, 'utf8').toString('base64');
}

/** The PEM text of every distinct caBundle the configuration's webhooks carry. */
export function caBundlePemsOf(configuration: WebhookCaBundles): string[] {
  const bundles = (configuration.webhooks ?? []).map((webhook) => webhook.clientConfig?.caBundle ?? '');
  return [...new Set(bundles)].filter(Boolean).map((bundle) => Buffer.from(bundle, 'base64').toString('utf8'));
}

export function caBundlePatch(configuration: WebhookCaBundles, caBundle: string): JsonPatchOperation[] {
  return (configuration.webhooks ?? []).flatMap((webhook, index) =>
    webhook.clientConfig?.caBundle === caBundle
      ? []
      : [
          { op: 'test' as const, path: `/webhooks/${index}/name`, value: webhook.name },
          // `add` sets a member whether or not it exists yet.
          { op: 'add' as const, path: `/webhooks/${index}/clientConfig/caBundle`, value: caBundle },
        ],
  );
}
