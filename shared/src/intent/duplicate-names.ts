// Two PVCs of one namespace with the same `<p>/name` would share one job: both are reported, each
// told which other PVC holds the name, until the clash is resolved. The webhook denies the second;
// the reconciler gives it no job and leaves a job the first already had as it is.

import { joinWords } from '../text/join-words.ts';
import { jobNameFor } from './job-name.ts';
import type { IntentResult } from './backup-intent.ts';
import { suggestBackupName } from './backup-name-rule.ts';
import { backupLabelKeys } from './label-keys.ts';
import { labelViolation, type Violation } from './violation.ts';

/** A PVC that wants the job for `name` (all claims given together are of one namespace). */
export interface NameClaim {
  readonly pvcName: string;
  readonly name: string;
}

/**
 * The claim a parsed PVC makes: opted in, or enabled=true with a valid name but other
 * violations (it still means to have that job, so it still collides).
 */
export function nameClaimOf(result: IntentResult): NameClaim | null {
  if (result.kind === 'opted-in') return { pvcName: result.pvcName, name: result.intent.name };
  if (result.kind === 'invalid' && result.enabled === true && result.name !== null)
    return { pvcName: result.pvcName, name: result.name };
  return null;
}

/** The other PVCs (sorted) that claim the same name as `claim`; empty when none. */
export function collidingPvcs(claim: NameClaim, claims: readonly NameClaim[]): string[] {
  return claims
    .filter((other) => other.name === claim.name && other.pvcName !== claim.pvcName)
    .map((other) => other.pvcName)
    .sort();
}

/** Every PVC in a collision, with the PVCs it collides with. */
export function findNameCollisions(claims: readonly NameClaim[]): ReadonlyMap<string, readonly string[]> {
  const collisions = new Map<string, readonly string[]>();
  for (const claim of claims) {
    const others = collidingPvcs(claim, claims);
    if (others.length > 0) collisions.set(claim.pvcName, others);
  }
  return collisions;
}

function freeName(claim: NameClaim, claims: readonly NameClaim[], namespace: string): string | null {
  const taken = new Set(claims.map((other) => other.name));
  for (let n = 2; n < 100; n++) {
    const suffix = `-${n}`;
    const base = suggestBackupName(claim.name, namespace, suffix.length);
    if (base === null) return null;
    if (!taken.has(`${base}${suffix}`)) return `${base}${suffix}`;
  }
  return null;
}

/** `is also used by PVC "a" in namespace "ns"`: the reason of a `duplicate_name` violation. */
export function alsoUsedBy(namespace: string, others: readonly string[]): string {
  const pvcs = `${others.length === 1 ? 'PVC' : 'PVCs'} ${joinWords(
    others.map((other) => JSON.stringify(other)),
    'and',
  )}`;
  return `is also used by ${pvcs} in namespace "${namespace}"`;
}

/** The `duplicate_name` violation for `claim`, or null when no other claim has its name. */
export function duplicateNameViolation(
  namespace: string,
  claim: NameClaim,
  claims: readonly NameClaim[],
  prefix: string,
): Violation | null {
  const others = collidingPvcs(claim, claims);
  if (others.length === 0) return null;
  return labelViolation(backupLabelKeys(prefix).name, claim.name, {
    condition: 'duplicate_name',
    reason: alsoUsedBy(namespace, others),
    allowed: `the job ${jobNameFor(namespace, claim.name)} can back up only one PVC, so give each PVC its own name`,
    example: freeName(claim, claims, namespace),
  });
}

/** For the reconciler: the `duplicate_name` violation of every colliding PVC, by PVC name. */
export function duplicateNameViolations(
  namespace: string,
  claims: readonly NameClaim[],
  prefix: string,
): ReadonlyMap<string, Violation> {
  const violations = new Map<string, Violation>();
  for (const claim of claims) {
    const violation = duplicateNameViolation(namespace, claim, claims, prefix);
    if (violation !== null) violations.set(claim.pvcName, violation);
  }
  return violations;
}
