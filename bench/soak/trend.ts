// Whether a sampled series is flat or growing: the least-squares slope per hour over the samples
// after the warm-up, and the verdict against the series' own mean (pure, no I/O).

export interface Point {
  /** Minutes since the churn started. */
  readonly minute: number;
  readonly value: number;
}

export interface Trend {
  readonly mean: number;
  /** Least-squares slope in units per hour (0 with fewer than two points). */
  readonly slopePerHour: number;
  /** The slope per hour as a share of the mean (0 when the mean is 0). */
  readonly relativePerHour: number;
  readonly verdict: 'flat' | 'growing' | 'shrinking';
}

/** A series is flat while it moves by less than `tolerance` of its mean per hour (default 10 %). */
export function trendOf(points: readonly Point[], tolerance = 0.1): Trend {
  const count = points.length;
  const mean = count === 0 ? 0 : points.reduce((sum, point) => sum + point.value, 0) / count;
  if (count < 2) return { mean, slopePerHour: 0, relativePerHour: 0, verdict: 'flat' };
  const meanMinute = points.reduce((sum, point) => sum + point.minute, 0) / count;
  let covariance = 0;
  let variance = 0;
  for (const point of points) {
    covariance += (point.minute - meanMinute) * (point.value - mean);
    variance += (point.minute - meanMinute) ** 2;
  }
  const slopePerHour = variance === 0 ? 0 : (covariance / variance) * 60;
  const relativePerHour = mean === 0 ? 0 : slopePerHour / Math.abs(mean);
  const verdict = Math.abs(relativePerHour) < tolerance ? 'flat' : relativePerHour > 0 ? 'growing' : 'shrinking';
  return { mean, slopePerHour, relativePerHour, verdict };
}
