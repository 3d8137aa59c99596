// An Event's name is derived from what it says, so recording the same thing twice is a 409 the
// second time (also across restarts) and `kubectl describe` never fills up with repeats. Once the
// apiserver's event TTL has removed it, a problem that persists is reported again.

import { shortHash } from '@longhorn-backup-guard/shared/text/short-hash';
import type { EventSpec } from '../model/actions.ts';

const NAME_MAX = 253;

/** `<object>.<hash of uid + reason + message>`, a valid DNS subdomain. */
export function eventName(event: EventSpec): string {
  const { involvedObject, reason, message } = event;
  const hash = shortHash(
    `${involvedObject.uid ?? `${involvedObject.kind}/${involvedObject.namespace}/${involvedObject.name}`}\n${reason}\n${message}`,
  );
  const base = involvedObject.name
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .slice(0, NAME_MAX - hash.length - 1)
    .replace(/[.-]+$/, '');
  return `${base === '' ? 'object' : base}.${hash}`;
}
