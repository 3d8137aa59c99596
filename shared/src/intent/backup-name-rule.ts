import { DNS_LABEL_MAX_LENGTH, isDnsLabel } from '../names/kubernetes-names.ts';
import { JOB_NAME_MAX_LENGTH, jobNameFor, nameRoomInNamespace } from './job-name.ts';
import { accepted, refused, type RuleFailure, type RuleResult } from './rule-result.ts';

/** A name made from `source` that is valid in this namespace with `reserve` characters to spare, or null. */
export function suggestBackupName(source: string, namespace: string, reserve = 0): string | null {
  const room = Math.min(DNS_LABEL_MAX_LENGTH, nameRoomInNamespace(namespace)) - reserve;
  const cleaned = source
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+/, '')
    .slice(0, Math.max(0, room))
    .replace(/-+$/, '');
  return cleaned === '' ? null : cleaned;
}

function noRoom(namespace: string): string {
  return `namespace "${namespace}" leaves no room for a name: back this PVC up from a shorter namespace or opt it out with enabled=false`;
}

/** Why `<p>/name` must be there when enabled=true, with the PVC's own name as the example if it fits. */
export function missingNameFailure(
  namespace: string,
  pvcName: string,
  enabledKey: string,
): RuleFailure<'missing_name'> {
  const room = nameRoomInNamespace(namespace);
  const allowed = `${enabledKey}=true needs a name for the job ${jobNameFor(namespace, '<name>')}: use a DNS label of at most ${Math.min(DNS_LABEL_MAX_LENGTH, room)} characters`;
  return {
    condition: 'missing_name',
    reason: 'is missing',
    allowed: room < 1 ? noRoom(namespace) : allowed,
    example: suggestBackupName(pvcName, namespace),
  };
}

/** The name label: a DNS label whose job name `backup-<namespace>-<name>` fits Longhorn's 40 characters. */
export function parseBackupName(
  text: string,
  namespace: string,
): RuleResult<string, 'invalid_name' | 'job_name_too_long'> {
  const room = nameRoomInNamespace(namespace);
  if (!isDnsLabel(text)) {
    const allowed = `use lowercase letters, digits and '-', starting and ending with a letter or digit, at most ${Math.min(DNS_LABEL_MAX_LENGTH, room)} characters in namespace "${namespace}"`;
    return refused({
      condition: 'invalid_name',
      reason: 'is not a DNS label',
      allowed: room < 1 ? noRoom(namespace) : allowed,
      example: suggestBackupName(text, namespace),
    });
  }
  const jobName = jobNameFor(namespace, text);
  if (jobName.length > JOB_NAME_MAX_LENGTH) {
    const reason = `makes the job name "${jobName}" ${jobName.length} characters long, Longhorn allows ${JOB_NAME_MAX_LENGTH}`;
    const allowed =
      room < 1 ? noRoom(namespace) : `in namespace "${namespace}" the name can have at most ${room} characters`;
    return refused({ condition: 'job_name_too_long', reason, allowed, example: suggestBackupName(text, namespace) });
  }
  return accepted(text);
}

/** The name the webhook fills in on CREATE: the PVC's own name, when that is a valid backup name. */
export function defaultBackupName(namespace: string, pvcName: string): string | null {
  return parseBackupName(pvcName, namespace).ok ? pvcName : null;
}
