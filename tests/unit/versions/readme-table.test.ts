// The README's supported-versions table says exactly what the matrix runs: one row per cell of
// tests/harness/version-matrix.ts, the diagonal first, naming the release each cell runs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../harness/paths.ts';
import { ALL_CELLS, DIAGONAL, type Cell } from '../../harness/version-matrix.ts';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const section = readme.split('\n## Supported versions\n')[1]?.split('\n## ')[0] ?? '';
const minor = (version: string): string => version.replace(/^v/, '').split('.').slice(0, 2).join('.');

test('one table row per cell of the matrix, the diagonal first (what npm test and CI run)', () => {
  const rows = section.split('\n').filter((line) => /^\| 1\.\d+/.test(line));
  const onDiagonal = (cell: Cell): boolean =>
    DIAGONAL.some((d) => d.kubernetes === cell.kubernetes && d.longhorn === cell.longhorn);
  const cells = [...DIAGONAL, ...ALL_CELLS.filter((cell) => !onDiagonal(cell))];
  assert.equal(rows.length, cells.length, `rows:\n${rows.join('\n')}`);
  cells.forEach((cell, i) => {
    const [kubernetes = '', longhorn = '', node = '', provedBy = ''] = (rows[i] ?? '')
      .split('|')
      .slice(1)
      .map((c) => c.trim());
    assert.ok(kubernetes.startsWith(`${minor(cell.kubernetes)} (${cell.kubernetes}`), `row ${i + 1}: ${kubernetes}`);
    assert.ok(longhorn.startsWith(`${minor(cell.longhorn)} (v${cell.longhorn}`), `row ${i + 1}: ${longhorn}`);
    assert.equal(node, '24');
    assert.match(provedBy, i < DIAGONAL.length ? /npm test/ : /test:matrix/);
  });
});
