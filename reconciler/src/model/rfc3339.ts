// The one time format the reconciler writes into annotations and Events.

/** RFC 3339 in UTC, to the second (toISOString without its milliseconds: a slice, it runs per decision). */
export function formatRfc3339(time: Date): string {
  const iso = time.toISOString();
  return `${iso.slice(0, iso.length - 5)}Z`;
}
