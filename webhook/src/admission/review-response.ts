// The three answers a webhook gives, and what the metrics call them.

import type { AdmissionResponse } from './admission-review.ts';
import type { JsonPatchOperation } from './json-patch.ts';

export type AdmissionResult = 'allowed' | 'denied' | 'patched';

/** At most this many warnings per answer; the rest are counted in a last one. */
export const MAX_WARNINGS = 12;
/** Longer warnings are cut (the apiserver may truncate a warning over 256 characters anyway). */
export const MAX_WARNING_LENGTH = 512;

function cut(text: string): string {
  return text.length > MAX_WARNING_LENGTH ? `${text.slice(0, MAX_WARNING_LENGTH - 1)}…` : text;
}

/**
 * The apiserver drops a warning with control characters or invalid UTF-8 (and kubectl would print
 * it on one line anyway), so such characters become spaces. Empty warnings are dropped. Count and
 * length are bounded, so the answer stays small whatever the input held.
 */
function cleanWarnings(warnings: readonly string[]): string[] {
  const cleaned = warnings
    .map((text) =>
      cut(text)
        .toWellFormed()
        .replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
        .trim(),
    )
    .filter((text) => text !== '');
  if (cleaned.length <= MAX_WARNINGS) return cleaned;
  return [...cleaned.slice(0, MAX_WARNINGS - 1), `and ${cleaned.length - MAX_WARNINGS + 1} more warnings`];
}

function withWarnings(response: AdmissionResponse, warnings: readonly string[]): AdmissionResponse {
  const cleaned = cleanWarnings(warnings);
  return cleaned.length > 0 ? { ...response, warnings: cleaned } : response;
}

export function allow(uid: string, warnings: readonly string[] = []): AdmissionResponse {
  return withWarnings({ uid, allowed: true }, warnings);
}

/** `message` is what kubectl prints after `admission webhook "…" denied the request: `. */
export function deny(uid: string, message: string, warnings: readonly string[] = []): AdmissionResponse {
  return withWarnings({ uid, allowed: false, status: { code: 403, reason: 'Forbidden', message } }, warnings);
}

/** Allowed with the patch applied; no patch at all when there is nothing to change. */
export function allowWithPatch(
  uid: string,
  operations: readonly JsonPatchOperation[],
  warnings: readonly string[] = [],
): AdmissionResponse {
  if (operations.length === 0) return allow(uid, warnings);
  const patch = Buffer.from(JSON.stringify(operations)).toString('base64');
  return withWarnings({ uid, allowed: true, patchType: 'JSONPatch', patch }, warnings);
}

export function resultOf(response: AdmissionResponse): AdmissionResult {
  if (!response.allowed) return 'denied';
  return response.patch === undefined ? 'allowed' : 'patched';
}
