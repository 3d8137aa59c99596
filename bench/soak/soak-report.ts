// The soak's columns, its plot and its verdicts, from the sampled rows: used by run.ts at the end of
// a run and by replot.ts on a CSV written earlier.
import { markdownTable } from '../lib/table.ts';
import type { Panel } from './svg-plot.ts';
import { trendOf, type Point } from './trend.ts';

/** The series that must stay flat (each gets a slope and a verdict). */
export const WATCHED = [
  'reconciler_rss_mib',
  'reconciler_heap_used_mib',
  'reconciler_sockets',
  'reconciler_queue_depth',
  'webhook_rss_mib',
  'webhook_heap_used_mib',
  'webhook_sockets',
  'events',
  'events_per_minute',
] as const;

/** The CSV's columns: the minute, the watched series, then the context. */
export const COLUMNS = [
  'minute',
  ...WATCHED,
  'live_pvcs',
  'operations',
  'failed_operations',
  'skipped_ticks',
  'load1',
] as const;

export type SoakRow = Record<(typeof COLUMNS)[number], number>;

/** Rows of a soak CSV (columns by their header, so older files with other context columns read too). */
export function readSoakCsv(text: string): Record<string, number>[] {
  const [header, ...lines] = text.trim().split('\n');
  const names = (header ?? '').split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(names.map((name, index) => [name, Number(cells[index])]));
  });
}

function series(rows: readonly Record<string, number>[], column: string): Point[] {
  return rows.map((row) => ({ minute: row.minute ?? Number.NaN, value: row[column] ?? Number.NaN }));
}

export function soakPanels(
  rows: readonly Record<string, number>[],
  limitsMiB: { readonly reconciler: number; readonly webhook: number },
): Panel[] {
  const perComponent = (title: string, column: 'rss_mib' | 'heap_used_mib' | 'sockets'): Panel => ({
    title,
    lines: [
      { label: 'reconciler', color: '#1f77b4', points: series(rows, `reconciler_${column}`) },
      { label: 'webhook', color: '#d62728', points: series(rows, `webhook_${column}`) },
    ],
  });
  const single = (title: string, column: string, color: string): Panel => ({
    title,
    lines: [{ label: '', color, points: series(rows, column) }],
  });
  return [
    perComponent(`RSS, MiB (limits: reconciler ${limitsMiB.reconciler}, webhook ${limitsMiB.webhook})`, 'rss_mib'),
    perComponent('V8 heap used, MiB', 'heap_used_mib'),
    perComponent('open sockets', 'sockets'),
    single('reconciler work queue depth', 'reconciler_queue_depth', '#1f77b4'),
    single('Events in the cluster (kept for the apiserver’s --event-ttl, 1 h)', 'events', '#2ca02c'),
    single('Events written per minute', 'events_per_minute', '#ff7f0e'),
    {
      title: 'live PVCs, load average (1 min)',
      lines: [
        { label: 'PVCs', color: '#9467bd', points: series(rows, 'live_pvcs') },
        { label: 'load1', color: '#7f7f7f', points: series(rows, 'load1') },
      ],
    },
  ];
}

/** Each watched series' slope per hour after the warm-up, with its verdict, as a Markdown table. */
export function soakTrends(rows: readonly Record<string, number>[], warmupMinutes: number): string {
  const table = WATCHED.map((column) => {
    const trend = trendOf(series(rows, column).filter((point) => point.minute >= warmupMinutes));
    return [
      column,
      trend.mean.toFixed(1),
      trend.slopePerHour.toFixed(2),
      `${(trend.relativePerHour * 100).toFixed(1)} %`,
      trend.verdict,
    ];
  });
  return `slopes after the first ${warmupMinutes} min (flat: under 10 % of the mean per hour):\n${markdownTable(
    ['series', 'mean', 'slope per hour', 'of the mean', 'verdict'],
    table,
  )}\n`;
}
