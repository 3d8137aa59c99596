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

/** The candidate closest to `word`, or null when none is close enough to be a likely typo. */
export function closestMatch(word: string, candidates: readonly string[]): string | null {
  const target = normalise(word);
  const allowed = Math.max(2, Math.floor(target.length / 4));
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(target, normalise(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= allowed ? best : null;
}
