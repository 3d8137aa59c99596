import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import type { IntentResult } from '@longhorn-backup-guard/shared/intent/backup-intent';
import { parseIntent } from '@longhorn-backup-guard/shared/intent/parse-intent';

// Cache objects are replaced, never changed, on every update, so a result stays valid for as
// long as its PVC object and configuration do; duplicate detection parses a whole namespace on
// every pass, which this keeps linear over a resync.
const parsed = new WeakMap<V1PersistentVolumeClaim, { readonly config: GuardConfig; readonly result: IntentResult }>();

/** parseIntent of a cached PVC, memoised by object identity. */
export function intentOf(pvc: V1PersistentVolumeClaim, config: GuardConfig): IntentResult {
  const memo = parsed.get(pvc);
  if (memo?.config === config) return memo.result;
  const result = parseIntent(
    { namespace: pvc.metadata?.namespace ?? '', name: pvc.metadata?.name ?? '', labels: pvc.metadata?.labels },
    config,
  );
  parsed.set(pvc, { config, result });
  return result;
}
