// Every line of Longhorn's cron test vectors (robfig/cron v1 ParseStandard verdicts and next
// fire times). The file lives outside the repository: LONGHORN_CRON_VECTORS, or
// ../shared/longhorn/cron-vectors.txt relative to the repository root.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nextFireTime } from '@longhorn-backup-guard/shared/cron/next-fire-time';
import { parseStandardCron } from '@longhorn-backup-guard/shared/cron/parse-standard-cron';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const vectorsPath = resolve(repoRoot, process.env.LONGHORN_CRON_VECTORS ?? '../shared/longhorn/cron-vectors.txt');
const lines = readFileSync(vectorsPath, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '');

const VECTOR = /^(ACCEPT|REJECT)\s+"(.*)"\s+(.*)$/;
const NEXT = /^next after (\d{4}-\d{2}-\d{2}T\d{2}:\d{2})Z: (\S+)$/;

describe(`cron vectors (${vectorsPath})`, () => {
  test('the file has vectors, and every line is one', () => {
    assert.ok(lines.length >= 49, `${lines.length} lines`);
    for (const line of lines) assert.match(line, VECTOR);
  });

  for (const line of lines) {
    const [, verdict, expr = '', rest = ''] = VECTOR.exec(line) ?? [];
    test(`${verdict} ${JSON.stringify(expr)}`, () => {
      const parsed = parseStandardCron(expr);
      if (verdict === 'REJECT') {
        assert.deepEqual(parsed, { ok: false, error: rest });
        assert.throws(() => nextFireTime(expr, new Date()), {
          message: `invalid cron ${JSON.stringify(expr)}: ${rest}`,
        });
        return;
      }
      assert.ok(parsed.ok, JSON.stringify(parsed));
      const [, after = '', next = ''] = NEXT.exec(rest) ?? [];
      assert.equal(nextFireTime(expr, new Date(`${after}:00Z`))?.toISOString(), new Date(next).toISOString());
    });
  }
});
