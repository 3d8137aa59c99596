// The `status` screen: a kubectl-style table (NAMESPACE only with -A), `-o wide` for the class,
// volume and why of the health, `-o json` for scripts.

import type { StatusRow } from './status-rows.ts';

export type StatusOutput = 'table' | 'wide' | 'json';

/** `45s ago`, `12m ago`, `5h ago`, `3d ago`, as kubectl's AGE rounds. */
export function formatAge(at: string | null, now: Date): string {
  if (at === null) return '-';
  const time = Date.parse(at);
  if (Number.isNaN(time)) return '-';
  const seconds = Math.max(0, Math.floor((now.getTime() - time) / 1000));
  if (seconds < 120) return `${seconds}s ago`;
  if (seconds < 2 * 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 2 * 86400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86400)}d ago`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('   ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function formatStatus(
  rows: readonly StatusRow[],
  notes: readonly string[],
  output: StatusOutput,
  allNamespaces: boolean,
  now: Date,
): string {
  if (output === 'json') return `${JSON.stringify({ items: rows, notes }, null, 2)}\n`;
  const wide = output === 'wide';
  const header = [
    ...(allNamespaces ? ['NAMESPACE'] : []),
    'PVC',
    'PROTECTED',
    'SCHEDULE',
    'RETAIN',
    'LAST BACKUP',
    'HEALTH',
    'VIOLATIONS',
    'ARCHIVE',
    ...(wide ? ['STORAGECLASS', 'VOLUME', 'HEALTH SINCE', 'HEALTH REASON'] : []),
  ];
  const cells = rows.map((row) => [
    ...(allNamespaces ? [row.namespace] : []),
    row.pvc,
    row.protection,
    wide ? row.scheduleInFull : row.schedule,
    row.retain,
    formatAge(row.lastBackupAt, now),
    row.health,
    row.violations.length === 0 ? '-' : row.violations.join(','),
    row.archive,
    ...(wide
      ? [
          row.storageClass,
          row.volume,
          row.healthSince === null ? '-' : formatAge(row.healthSince, now),
          row.healthReason ?? '-',
        ]
      : []),
  ]);
  const body = rows.length === 0 ? 'No Longhorn-backed PVCs found.' : table(header, cells);
  return `${[body, ...notes.map((note) => `note: ${note}`)].join('\n')}\n`;
}
