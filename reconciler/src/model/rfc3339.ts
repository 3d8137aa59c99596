// The one time format the reconciler writes into annotations and Events.

/** RFC 3339 in UTC, to the second. */
export function formatRfc3339(time: Date): string {
  return time.toISOString().replace(/\.[0-9]{3}Z$/, 'Z');
}
