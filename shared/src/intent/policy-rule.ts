// The `<p>/policy` label: the name of a backup policy of the ConfigMap (`policies:`), and the
// schedule labels that cannot go with it (the policy's schedules say when and how many to keep).

import { closestMatch } from '../text/closest-match.ts';
import { joinWords } from '../text/join-words.ts';
import { accepted, refused, type RuleFailure, type RuleResult } from './rule-result.ts';

export function parsePolicyName(text: string, policyNames: readonly string[]): RuleResult<string, 'unknown_policy'> {
  if (policyNames.includes(text)) return accepted(text);
  if (policyNames.length === 0)
    return refused({
      condition: 'unknown_policy',
      reason: 'names a policy, but no policies are configured',
      allowed: 'remove the label, or add the policy under policies: in the ConfigMap',
      example: null,
    });
  return refused({
    condition: 'unknown_policy',
    reason: 'is not a policy of this cluster',
    allowed: `use ${joinWords(policyNames, 'or')}`,
    example: closestMatch(text, policyNames) ?? policyNames[0] ?? null,
  });
}

/** A schedule label set together with `<p>/policy`: which to remove. */
export function scheduleLabelWithPolicy(policyKey: string, policy: string): RuleFailure<'policy_with_schedule_labels'> {
  return {
    condition: 'policy_with_schedule_labels',
    reason: `cannot be combined with ${policyKey}=${policy}`,
    allowed: `remove this label (the policy's schedules say when to back up and how many to keep), or remove ${policyKey}`,
    example: null,
  };
}
