// The two flag labels. Only the exact lowercase words count, as Kubernetes label values are
// case-sensitive and every other tool matches on the exact value.

import { accepted, refused, type RuleResult } from './rule-result.ts';

const MEANS_TRUE = ['true', 'yes', 'y', 'on', '1', 'enabled', 'enable'];

/** The word a person probably meant, for the example: `True`/`yes` -> true, else false. */
function meantFlag(text: string): 'true' | 'false' {
  return MEANS_TRUE.includes(text.trim().toLowerCase()) ? 'true' : 'false';
}

export function parseEnabled(text: string): RuleResult<boolean, 'invalid_enabled'> {
  if (text === 'true' || text === 'false') return accepted(text === 'true');
  return refused({
    condition: 'invalid_enabled',
    reason: 'is not allowed',
    allowed: 'use true or false',
    example: meantFlag(text),
  });
}

/**
 * `true` requests an archive. `false` is accepted and means "no archive requested", exactly as if
 * the label were absent: it is the natural way to withdraw a request without deleting the label.
 */
export function parseArchive(text: string): RuleResult<boolean, 'invalid_archive'> {
  if (text === 'true' || text === 'false') return accepted(text === 'true');
  const allowed = 'use true to start the archive workflow, or false (or no label) for none';
  return refused({ condition: 'invalid_archive', reason: 'is not allowed', allowed, example: meantFlag(text) });
}
