// `check` on fixture manifests, in-process (the executable itself is run in the integration tests):
// every rule with the webhook's message and the line it is about, the StatefulSet traps, stdin,
// directories, JSON, --config and the exit codes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '@longhorn-backup-guard/cli/main';
import { ordinalsToJudge } from '@longhorn-backup-guard/cli/check/manifest-claims';

import { POLICIES_YAML } from '../../fixtures/policy-config.ts';

const P = 'backup.vluwte.nl';
let dir = '';

interface JsonFinding {
  severity: string;
  file: string;
  line: number | null;
  namespace: string;
  pvc: string;
  condition: string | null;
  message: string;
  statefulSet?: string;
  ordinal?: number;
}
interface JsonReport {
  checked: { pvcs: number; replicas: number };
  errors: number;
  warnings: number;
  exitCode: number;
  findings: JsonFinding[];
  notes: string[];
  problems: { file: string; line: number | null; message: string }[];
}

async function check(args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCommand(['check', ...args], {
    stdin: Readable.from([stdin]),
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: {},
    now: () => new Date('2026-06-01T12:00:00Z'),
  });
  return { code, stdout, stderr };
}

async function checkJson(args: string[], stdin = ''): Promise<JsonReport> {
  const result = await check([...args, '-o', 'json'], stdin);
  const report = JSON.parse(result.stdout) as JsonReport;
  assert.equal(report.exitCode, result.code);
  return report;
}

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
  return path;
}

function pvc(name: string, labels: Record<string, string>, extra = ''): string {
  const lines = Object.entries(labels).map(
    ([key, value]) => `    ${key.includes('/') ? key : `${P}/${key}`}: ${JSON.stringify(value)}`,
  );
  return `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: ${name}\n  namespace: shop\n  labels:\n${lines.join('\n')}\nspec:\n  storageClassName: longhorn\n${extra}`;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lbg-check-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test("every label rule: the webhook's message, its condition, and the line of the label", async () => {
  const docs = [
    pvc('bad-start', { enabled: 'true', name: 'a', start: '2460' }),
    pvc('bad-interval', { enabled: 'true', name: 'b', interval: '5' }),
    pvc('bad-retain', { enabled: 'true', name: 'c', retain: '101' }),
    pvc('bad-enabled', { enabled: 'yes' }),
    pvc('bad-name', { enabled: 'true', name: 'Data' }),
    pvc('bad-archive', { enabled: 'true', name: 'e', archive: 'true' }),
    pvc('bad-date', { enabled: 'true', name: 'f', archive: 'true', 'archive-delete-after': '2026-02-30' }),
    pvc('bad-counts', { enabled: 'true', name: 'g', 'full-backup-interval': '-1', concurrency: '0' }),
  ];
  const text_ = docs.join('---\n');
  const path = await file('rules.yaml', text_);
  /** The line of `needle` after the line naming `pvc`. */
  const lineOf = (pvc: string, needle: string): number => {
    const lines = text_.split('\n');
    const start = lines.indexOf(`  name: ${pvc}`);
    return lines.findIndex((line, index) => index > start && line.includes(needle)) + 1;
  };
  const report = await checkJson([path]);
  const errors = report.findings
    .filter((finding) => finding.severity === 'error')
    .map((finding) => [finding.pvc, finding.condition, finding.line]);
  assert.deepEqual(errors, [
    ['bad-start', 'invalid_start', lineOf('bad-start', '/start:')],
    ['bad-interval', 'invalid_interval', lineOf('bad-interval', '/interval:')],
    ['bad-retain', 'retain_above_max', lineOf('bad-retain', '/retain:')],
    ['bad-enabled', 'invalid_enabled', lineOf('bad-enabled', '/enabled:')],
    ['bad-name', 'invalid_name', lineOf('bad-name', '/name:')],
    ['bad-archive', 'archive_without_delete_after', lineOf('bad-archive', 'labels:')],
    ['bad-date', 'invalid_archive_delete_after', lineOf('bad-date', '/archive-delete-after:')],
    ['bad-counts', 'invalid_full_backup_interval', lineOf('bad-counts', '/full-backup-interval:')],
    ['bad-counts', 'invalid_concurrency', lineOf('bad-counts', '/concurrency:')],
  ]);
  assert.equal(lineOf('bad-start', '/start:'), 9);
  const start = report.findings[0];
  assert.equal(
    start?.message,
    `${P}/start="2460" is not a time of day: use four digits HHMM from 0000 to 2359, a time of day in UTC (e.g. ${P}/start=0100)`,
  );
  assert.equal(report.exitCode, 1);

  const text = await check([path]);
  assert.match(
    text.stdout,
    new RegExp(`^${path}:9: error: PVC "bad-start" in namespace "shop": ${P}/start="2460" is not a time of day`, 'm'),
  );
  assert.match(text.stdout, /checked 8 PVCs: 9 errors, 0 warnings\n$/);
});

test('the job name with the object\'s namespace, --namespace, or "default" with a note', async () => {
  const doc = `kind: PersistentVolumeClaim\nmetadata:\n  name: data\n  labels:\n    ${P}/enabled: "true"\n    ${P}/name: reporting-database\n`;
  const path = await file('no-namespace.yaml', doc);
  const inDefault = await checkJson([path]);
  assert.deepEqual(inDefault.findings, []);
  assert.match(
    inDefault.notes.join('\n'),
    /objects without metadata.namespace are judged in the namespace kubectl would use by default \("default"; give --namespace to change it\): 1 in "default"/,
  );
  const long = await checkJson([path, '--namespace', 'customer-analytics']);
  assert.deepEqual(
    long.findings.map((finding) => [finding.condition, finding.namespace, finding.line]),
    [['job_name_too_long', 'customer-analytics', 6]],
  );
  assert.match(
    long.findings[0]?.message ?? '',
    /makes the job name "backup-customer-analytics-reporting-database" 44 characters long, Longhorn allows 40: in namespace "customer-analytics" the name can have at most 14 characters/,
  );
});

test('duplicate names among the given objects, per namespace; the same name in two namespaces is fine', async () => {
  const other = (name: string, namespace: string) =>
    pvc(name, { enabled: 'true', name: 'db' }).replace('namespace: shop', `namespace: ${namespace}`);
  const report = await checkJson([
    await file('dups.yaml', [other('a', 'shop'), other('b', 'shop'), other('c', 'blog')].join('---\n')),
  ]);
  assert.deepEqual(
    report.findings.map((finding) => [finding.pvc, finding.condition]),
    [
      ['a', 'duplicate_name'],
      ['b', 'duplicate_name'],
    ],
  );
  assert.equal(
    report.findings[1]?.message,
    `${P}/name="db" is also used by PVC "a" in namespace "shop": the job backup-shop-db can back up only one PVC, so give each PVC its own name (e.g. ${P}/name=db-2)`,
  );
});

test("the mutating webhook's defaults: the name filled from the PVC name, enabled from the namespace policy in the input or a flag", async () => {
  const unnamed = pvc('orders', { enabled: 'true' });
  const unlabelled = pvc('cache', {}).replace(/ {2}labels:\n/, '');
  assert.deepEqual((await checkJson([await file('defaults.yaml', unnamed)])).findings, []);
  const bare = await checkJson([await file('bare.yaml', unlabelled)]);
  assert.deepEqual(
    bare.findings.map((finding) => [finding.severity, finding.condition]),
    [['warning', 'missing_enabled_label']],
  );
  assert.equal(bare.exitCode, 0);
  assert.match(
    bare.notes.join('\n'),
    /namespace "shop" is not in the input: without its backup.vluwte.nl\/default-enabled label, a PVC without backup.vluwte.nl\/enabled gets no default/,
  );
  const namespace = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    ${P}/default-enabled: "true"\n`;
  assert.deepEqual(
    (await checkJson([await file('with-namespace.yaml', `${namespace}---\n${unlabelled}`)])).findings,
    [],
  );
  assert.deepEqual(
    (await checkJson([await file('bare.yaml', unlabelled), '--namespace-policy', 'shop=true'])).findings,
    [],
  );
  assert.equal((await check([await file('bare.yaml', unlabelled), '--strict'])).code, 1);
});

test("StorageClasses from the input or flags: another provisioner's PVC is left alone with the webhook's warning", async () => {
  const nfs = pvc('media', { enabled: 'maybe' }).replace('storageClassName: longhorn', 'storageClassName: nfs');
  const storageClass =
    'apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: nfs\nprovisioner: nfs.csi.k8s.io\n';
  const fromInput = await checkJson([await file('nfs.yaml', `${storageClass}---\n${nfs}`)]);
  assert.deepEqual(
    fromInput.findings.map((finding) => [finding.severity, finding.message]),
    [
      [
        'warning',
        'PVC "media" is not Longhorn-backed (StorageClass "nfs" has provisioner "nfs.csi.k8s.io", not driver.longhorn.io): its backup labels are ignored and no backup is made',
      ],
    ],
  );
  const fromFlag = await checkJson([await file('nfs-only.yaml', nfs), '--storage-class', 'nfs=nfs.csi.k8s.io']);
  assert.deepEqual(
    fromFlag.findings,
    fromInput.findings.map((finding) => ({ ...finding, file: fromFlag.findings[0]?.file, document: 1, line: 6 })),
  );
  const assumed = await checkJson([await file('nfs-only.yaml', nfs)]);
  assert.deepEqual(
    assumed.findings.map((finding) => finding.condition),
    ['invalid_enabled'],
  );
  assert.match(
    assumed.notes.join('\n'),
    /StorageClass "nfs" is not in the input: assumed to be Longhorn's \(driver.longhorn.io\)/,
  );
});

test('archive dates: a date that does not exist is an error, one already past a warning', async () => {
  const past = pvc('old', { enabled: 'true', archive: 'true', 'archive-delete-after': '2020-01-31' });
  const report = await checkJson([await file('archive.yaml', past)]);
  assert.deepEqual(
    report.findings.map((finding) => [finding.severity, finding.message]),
    [
      [
        'warning',
        `${P}/archive-delete-after=2020-01-31 is already past: the archive backup is reported expired as soon as it completes (nothing is deleted automatically)`,
      ],
    ],
  );
});

test('a label YAML reads as a bool or a number is an error that says to quote it', async () => {
  const doc = `kind: PersistentVolumeClaim\nmetadata:\n  name: data\n  namespace: shop\n  labels:\n    ${P}/enabled: true\n    ${P}/start: 0030\n`;
  const report = await checkJson([await file('unquoted.yaml', doc)]);
  assert.deepEqual(
    report.findings.map((finding) => [finding.condition, finding.line]),
    [
      ['label_not_a_string', 6],
      ['label_not_a_string', 7],
    ],
  );
  assert.match(
    report.findings[1]?.message ?? '',
    /label backup.vluwte.nl\/start: 0030 is read by YAML as a number, and a label value must be a string, so the object is refused: quote it \(backup.vluwte.nl\/start: "0030"\)/,
  );
});

function statefulSet(
  name: string,
  replicas: number,
  templateLabels: Record<string, string>,
  namespace = 'shop',
): string {
  const labels = Object.entries(templateLabels)
    .map(([key, value]) => `          ${P}/${key}: ${JSON.stringify(value)}`)
    .join('\n');
  return `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers: [{name: main, image: main}]
  volumeClaimTemplates:
    - metadata:
        name: data
        labels:
${labels}
      spec:
        storageClassName: longhorn
`;
}

test('StatefulSet: a template that sets <p>/name stalls at the second replica, reported once with the fix', async () => {
  const report = await checkJson([
    await file('sts.yaml', statefulSet('queue', 3, { enabled: 'true', name: 'queue-data' })),
  ]);
  assert.deepEqual(report.checked, { pvcs: 0, replicas: 3 });
  assert.deepEqual(
    report.findings.map((finding) => [
      finding.severity,
      finding.pvc,
      finding.statefulSet,
      finding.ordinal,
      finding.condition,
      finding.line,
    ]),
    [['error', 'data-queue-1', 'queue', 1, 'duplicate_name', 22]],
  );
  assert.match(
    report.findings[0]?.message ?? '',
    /this PVC is replica 1 of StatefulSet "queue", whose volumeClaimTemplate "data" sets backup.vluwte.nl\/name=queue-data for every replica, .* remove backup.vluwte.nl\/name from the template; the webhook then names each replica's backup after its own PVC \(here backup.vluwte.nl\/name=data-queue-1\)/,
  );
  const text = await check([join(dir, 'sts.yaml')]);
  assert.match(
    text.stdout,
    /sts.yaml:22: error: PVC "data-queue-1" \(StatefulSet "queue" volumeClaimTemplate "data", replica 1\) in namespace "shop": /,
  );

  const single = await checkJson([
    await file('sts-1.yaml', statefulSet('queue', 1, { enabled: 'true', name: 'queue-data' })),
  ]);
  assert.deepEqual(
    single.findings.map((finding) => [finding.severity, finding.condition]),
    [['warning', 'duplicate_name']],
  );
  assert.match(
    single.findings[0]?.message ?? '',
    /a second replica's PVC would be refused as a duplicate and the StatefulSet would stall there/,
  );

  const good = await checkJson([await file('sts-ok.yaml', statefulSet('queue', 3, { enabled: 'true' }))]);
  assert.deepEqual(good.findings, []);
});

test("StatefulSet: the last replica's PVC name is the longest, so its job name is checked", async () => {
  const report = await checkJson([
    await file('sts-long.yaml', statefulSet('events-arch', 12, { enabled: 'true' }, 'analytics-prod')),
  ]);
  assert.deepEqual(
    report.findings.map((finding) => [finding.pvc, finding.condition]),
    [['data-events-arch-11', 'missing_name']],
  );
  assert.deepEqual(ordinalsToJudge(0, 12), [0, 1, 11]);
  assert.deepEqual(ordinalsToJudge(5, 1), [5]);
});

test('stdin, directories (recursive, yaml/yml/json only), List kinds and JSON files', async () => {
  const bad = pvc('bad', { enabled: 'yes' });
  const fromStdin = await checkJson(['-'], bad);
  assert.deepEqual(
    fromStdin.findings.map((finding) => [finding.file, finding.line, finding.condition]),
    [['<stdin>', 7, 'invalid_enabled']],
  );

  await file('tree/a.yaml', pvc('one', { enabled: 'yes' }));
  await file('tree/nested/b.yml', pvc('two', { enabled: 'yes' }));
  await file('tree/nested/ignored.txt', 'not: [yaml');
  const list = {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'three', namespace: 'shop', labels: { [`${P}/enabled`]: 'yes' } },
        spec: { storageClassName: 'longhorn' },
      },
    ],
  };
  await file('tree/nested/c.json', JSON.stringify(list, null, 2));
  const tree = await checkJson([join(dir, 'tree')]);
  assert.deepEqual(
    tree.findings.map((finding) => [finding.file.slice(dir.length), finding.pvc, finding.line]),
    [
      ['/tree/a.yaml', 'one', 7],
      ['/tree/nested/b.yml', 'two', 7],
      ['/tree/nested/c.json', 'three', 12],
    ],
  );
});

test('exit 2 for unusable input: unparseable YAML names file and line; a missing path; an invalid --config', async () => {
  const broken = await file(
    'broken.yaml',
    `${pvc('fine', { enabled: 'true' })}---\nkind: PersistentVolumeClaim\nmetadata:\n  name: [unclosed\n`,
  );
  const result = await check([broken]);
  assert.equal(result.code, 2);
  assert.match(
    result.stdout,
    new RegExp(`^${broken}:14: unusable input: ${broken} is not valid YAML \\(document 2\\)`, 'm'),
  );
  const missing = await check([join(dir, 'nope.yaml')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stdout, /nope.yaml: unusable input: .*nope.yaml does not exist/);
  const config = await file('bad-config.yaml', 'defaults:\n  interval: 5\n');
  const invalid = await check([await file('ok.yaml', pvc('ok', { enabled: 'true' })), '--config', config]);
  assert.equal(invalid.code, 2);
  assert.match(invalid.stdout, /is not a usable configuration: .*defaults.interval: "5" is not a divisor of 24/);
  assert.equal((await check([])).code, 2);
  assert.equal((await check(['--bogus', 'x.yaml'])).code, 2);
  assert.equal((await check([join(dir, 'ok.yaml')])).code, 0);
});

test('--config with policies: a known policy passes, an unknown one and a schedule label beside one are errors', async () => {
  const config = await file('policies.yaml', POLICIES_YAML);
  const docs = [
    pvc('on-policy', { enabled: 'true', policy: 'standard' }),
    pvc('unknown', { enabled: 'true', policy: 'gold' }),
    pvc('mixed', { enabled: 'true', policy: 'frequent', retain: '3' }),
  ].join('---\n');
  const report = await checkJson([await file('policy-pvcs.yaml', docs), '--config', config]);
  assert.deepEqual(
    report.findings.map((finding) => finding.message),
    [
      `${P}/policy="gold" is not a policy of this cluster: use standard or frequent (e.g. ${P}/policy=standard)`,
      `${P}/retain="3" cannot be combined with ${P}/policy=frequent: remove this label (the policy's schedules say when to back up and how many to keep), or remove ${P}/policy`,
    ],
  );
  assert.equal(report.exitCode, 1);
});

test("--config: the product's ConfigMap (its config.yaml) sets the prefix, defaults and limits", async () => {
  const configMap = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: longhorn-backup-guard\ndata:\n  config.yaml: |\n    labelPrefix: backup.example.com\n    maxRetention: 20\n`;
  const config = await file('configmap.yaml', configMap);
  const doc = pvc('data', { 'backup.example.com/enabled': 'true', 'backup.example.com/retain': '30' });
  const report = await checkJson([await file('prefixed.yaml', doc), '--config', config]);
  assert.deepEqual(
    report.findings.map((finding) => finding.message),
    [
      'backup.example.com/retain="30" is above the maximum of 20 (Longhorn\'s recurring-job-max-retention): use a whole number from 1 to 20 (e.g. backup.example.com/retain=20)',
    ],
  );
  const plain = await file('config.yaml', 'labelPrefix: backup.example.com\nmaxRetention: 20\n');
  assert.deepEqual((await checkJson([join(dir, 'prefixed.yaml'), '--config', plain])).findings, report.findings);
});
