// "Did you mean …?" for misspelt keys: case, '-' and '_' are ignored, then a small edit distance.

function normalise(word: string): string {
  return word.toLowerCase().replace(/[-_]/g, '');
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * Words longer than this are no typo of a key (a label key is at most 317 characters): they are
 * not compared at all, so the cost of a comparison stays bounded whatever the input (the edit
 * distance takes the product of both lengths).
 */
export const MAX_COMPARED_LENGTH = 320;

/** The candidate closest to `word`, or null when none is close enough to be a likely typo. */
export function closestMatch(word: string, candidates: readonly string[]): string | null {
  if (word.length > MAX_COMPARED_LENGTH) return null;
  const target = normalise(word);
  const allowed = Math.max(2, Math.floor(target.length / 4));
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const other = normalise(candidate);
    // The distance is at least the difference in length: no need to compute it then.
    if (Math.abs(other.length - target.length) > allowed) continue;
    const distance = editDistance(target, other);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= allowed ? best : null;
}
