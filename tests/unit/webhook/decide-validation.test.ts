import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideValidation } from '@longhorn-backup-guard/webhook/decide/decide-validation';
import { NS, P, context, labels, nfsClass, otherPvc, pvc, request } from './review-fixtures.ts';

const ok = { enabled: 'true', name: 'data' };

function validate(
  entries: Record<string, string> | null,
  options: Parameters<typeof context>[0] = {},
  spec?: Record<string, unknown>,
) {
  return decideValidation(
    request('CREATE', pvc('data-pvc', entries === null ? undefined : labels(entries), spec)),
    context(options),
  );
}

const refusals: { case: string; labels: Record<string, string>; message: string }[] = [
  {
    case: 'start 2460',
    labels: { ...ok, start: '2460' },
    message: `PVC "data-pvc": ${P}/start="2460" is not a time of day: use four digits HHMM from 0000 to 2359, a time of day in UTC (e.g. ${P}/start=0100)`,
  },
  {
    case: 'start 0060',
    labels: { ...ok, start: '0060' },
    message: `PVC "data-pvc": ${P}/start="0060" is not a time of day: use four digits HHMM from 0000 to 2359, a time of day in UTC (e.g. ${P}/start=0100)`,
  },
  {
    case: 'interval 5',
    labels: { ...ok, interval: '5' },
    message: `PVC "data-pvc": ${P}/interval="5" is not a divisor of 24: use 1, 2, 3, 4, 6, 8, 12 or 24 (e.g. ${P}/interval=6)`,
  },
  {
    case: 'retain 0',
    labels: { ...ok, retain: '0' },
    message: `PVC "data-pvc": ${P}/retain="0" is less than 1: use a whole number from 1 to 100 (e.g. ${P}/retain=1)`,
  },
  {
    case: 'retain 101',
    labels: { ...ok, retain: '101' },
    message: `PVC "data-pvc": ${P}/retain="101" is above the maximum of 100 (Longhorn's recurring-job-max-retention): use a whole number from 1 to 100 (e.g. ${P}/retain=100)`,
  },
  {
    case: 'enabled yes',
    labels: { enabled: 'yes' },
    message: `PVC "data-pvc": ${P}/enabled="yes" is not allowed: use true or false (e.g. ${P}/enabled=true)`,
  },
  {
    case: 'name with upper case',
    labels: { enabled: 'true', name: 'Data' },
    message: `PVC "data-pvc": ${P}/name="Data" is not a DNS label: use lowercase letters, digits and '-', starting and ending with a letter or digit, at most 28 characters in namespace "team" (e.g. ${P}/name=data)`,
  },
  {
    case: 'job name over 40 characters',
    labels: { enabled: 'true', name: 'a-name-that-is-far-too-long-for-it' },
    message: `PVC "data-pvc": ${P}/name="a-name-that-is-far-too-long-for-it" makes the job name "backup-team-a-name-that-is-far-too-long-for-it" 46 characters long, Longhorn allows 40: in namespace "team" the name can have at most 28 characters (e.g. ${P}/name=a-name-that-is-far-too-long)`,
  },
  {
    case: 'enabled without a name',
    labels: { enabled: 'true' },
    message: `PVC "data-pvc": ${P}/name is missing: ${P}/enabled=true needs a name for the job backup-team-<name>: use a DNS label of at most 28 characters (e.g. ${P}/name=data-pvc)`,
  },
  {
    case: 'archive without a date',
    labels: { ...ok, archive: 'true' },
    message: `PVC "data-pvc": ${P}/archive-delete-after is missing: ${P}/archive=true needs the date after which the archive may be deleted: use a real date as YYYY-MM-DD (e.g. ${P}/archive-delete-after=2030-12-31)`,
  },
  {
    case: 'date 2026-02-30',
    labels: { ...ok, archive: 'true', 'archive-delete-after': '2026-02-30' },
    message: `PVC "data-pvc": ${P}/archive-delete-after="2026-02-30" is not a real calendar date: use a real date as YYYY-MM-DD (e.g. ${P}/archive-delete-after=2026-02-28)`,
  },
  {
    case: 'archive not a flag',
    labels: { ...ok, archive: 'yes', 'archive-delete-after': '2030-01-01' },
    message: `PVC "data-pvc": ${P}/archive="yes" is not allowed: use true to start the archive workflow, or false (or no label) for none (e.g. ${P}/archive=true)`,
  },
];

for (const { case: name, labels: entries, message } of refusals) {
  test(`CREATE refused: ${name}, with the intent model's message`, () => {
    const response = validate(entries);
    assert.equal(response.allowed, false);
    assert.equal(response.uid, 'uid-1');
    assert.deepEqual(response.status, { code: 403, reason: 'Forbidden', message });
  });
}

test('CREATE: several problems are all listed, one per line', () => {
  const response = validate({ enabled: 'yes', start: '2460', interval: '5', retain: '0' });
  assert.equal(response.allowed, false);
  assert.equal(
    response.status?.message,
    [
      'PVC "data-pvc" has 4 problems with its backup labels:',
      `- ${P}/enabled="yes" is not allowed: use true or false (e.g. ${P}/enabled=true)`,
      `- ${P}/retain="0" is less than 1: use a whole number from 1 to 100 (e.g. ${P}/retain=1)`,
      `- ${P}/interval="5" is not a divisor of 24: use 1, 2, 3, 4, 6, 8, 12 or 24 (e.g. ${P}/interval=6)`,
      `- ${P}/start="2460" is not a time of day: use four digits HHMM from 0000 to 2359, a time of day in UTC (e.g. ${P}/start=0100)`,
    ].join('\n'),
  );
});

test('CREATE: a duplicate name is refused and names the other PVC, with a free name as example', () => {
  const response = validate(ok, {
    namespacePvcs: [otherPvc('older', ok), otherPvc('unrelated', { enabled: 'true', name: 'data-2' })],
  });
  assert.equal(
    response.status?.message,
    `PVC "data-pvc": ${P}/name="data" is also used by PVC "older" in namespace "${NS}": the job backup-team-data can back up only one PVC, so give each PVC its own name (e.g. ${P}/name=data-3)`,
  );
});

test('CREATE: a duplicate is listed together with the other problems', () => {
  const response = validate({ ...ok, retain: '0' }, { namespacePvcs: [otherPvc('older', ok)] });
  assert.match(
    response.status?.message ?? '',
    /^PVC "data-pvc" has 2 problems with its backup labels:\n- .*retain="0".*\n- .*is also used by PVC "older"/,
  );
});

test('CREATE: no duplicate with a PVC being deleted, opted out, not Longhorn-backed, or the PVC itself', () => {
  const others = [
    otherPvc('leaving', ok, { deletionTimestamp: '2026-06-01T00:00:00Z' }),
    otherPvc('opted-out', { enabled: 'false', name: 'data' }),
    { ...otherPvc('on-nfs', ok), spec: { storageClassName: 'nfs' } },
    otherPvc('data-pvc', ok),
  ];
  assert.deepEqual(validate(ok, { namespacePvcs: others }), { uid: 'uid-1', allowed: true });
});

test('CREATE: a valid opted-in or opted-out PVC is allowed without warnings', () => {
  assert.deepEqual(
    validate({ ...ok, retain: '14', interval: '6', start: '2100', 'full-backup-interval': '0', concurrency: '2' }),
    { uid: 'uid-1', allowed: true },
  );
  assert.deepEqual(validate({ enabled: 'false' }), { uid: 'uid-1', allowed: true });
});

test('CREATE: a missing enabled label is a warning, never a refusal', () => {
  const response = validate(null);
  assert.equal(response.allowed, true);
  assert.deepEqual(response.warnings, [
    `${P}/enabled is missing: every Longhorn-backed PVC must opt in or out: use true or false (e.g. ${P}/enabled=true)`,
  ]);
});

test('CREATE: a PVC of another provisioner is allowed with a warning, whatever its labels', () => {
  const response = validate({ enabled: 'yes', start: '9999' }, {}, { storageClassName: 'nfs' });
  assert.equal(response.allowed, true);
  assert.deepEqual(response.warnings, [
    'PVC "data-pvc" is not Longhorn-backed (StorageClass "nfs" has provisioner "nfs.csi.k8s.io", not driver.longhorn.io): its backup labels are ignored and no backup is made',
  ]);
  assert.deepEqual(validate(null, {}, { storageClassName: 'nfs' }), { uid: 'uid-1', allowed: true });
});

test('CREATE: without storageClassName the default StorageClass decides (the newest default wins)', () => {
  const nfsDefault = {
    ...nfsClass,
    metadata: {
      ...nfsClass.metadata,
      annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      creationTimestamp: '2026-03-01T00:00:00Z',
    },
  };
  assert.equal(validate({ enabled: 'yes' }, {}, {}).allowed, false);
  const response = validate(
    { enabled: 'yes' },
    {
      storageClasses: [
        nfsDefault,
        {
          metadata: {
            name: 'longhorn',
            annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
            creationTimestamp: '2026-01-01T00:00:00Z',
          },
          provisioner: 'driver.longhorn.io',
        },
      ],
    },
    {},
  );
  assert.equal(response.allowed, true);
  assert.match(response.warnings?.[0] ?? '', /StorageClass "nfs"/);
});

test('CREATE: an unknown StorageClass still gets malformed values refused, but no missing-enabled warning', () => {
  assert.equal(validate({ enabled: 'yes' }, {}, { storageClassName: 'not-there' }).allowed, false);
  assert.deepEqual(validate(null, {}, { storageClassName: 'not-there' }), { uid: 'uid-1', allowed: true });
  assert.deepEqual(validate(null, {}, { storageClassName: '' }), { uid: 'uid-1', allowed: true });
});

test('excluded and unwatched namespaces are always admitted untouched', () => {
  assert.deepEqual(validate({ enabled: 'yes' }, { configChanges: { excludedNamespaces: [NS] } }), {
    uid: 'uid-1',
    allowed: true,
  });
  assert.deepEqual(validate({ enabled: 'yes' }, { configChanges: { watchNamespaces: ['elsewhere'] } }), {
    uid: 'uid-1',
    allowed: true,
  });
  assert.equal(validate({ enabled: 'yes' }, { configChanges: { watchNamespaces: [NS] } }).allowed, false);
});

test('soft problems are warnings: unknown backup label, past archive date, Longhorn source label', () => {
  const response = validate({
    ...ok,
    retian: '3',
    archive: 'true',
    'archive-delete-after': '2026-05-31',
    'recurring-job.longhorn.io/source': 'enabled',
  });
  assert.equal(response.allowed, true);
  assert.deepEqual(response.warnings, [
    `${P}/retian is not a backup label and is ignored: did you mean ${P}/retain?`,
    `${P}/archive-delete-after=2026-05-31 is already past: the archive backup is reported expired as soon as it completes (nothing is deleted automatically)`,
    "recurring-job.longhorn.io/source=enabled makes Longhorn keep the volume's recurring-job labels equal to this PVC's: the reconciler therefore puts recurring-job.longhorn.io/backup-team-data=enabled on the PVC too; removing it by hand takes the backup job off the volume",
  ]);
  // The archive date of today is not past yet; a source label other than `enabled` does nothing.
  const today = validate({
    ...ok,
    archive: 'true',
    'archive-delete-after': '2026-06-01',
    'recurring-job.longhorn.io/source': 'on',
  });
  assert.deepEqual(today.warnings, [
    'recurring-job.longhorn.io/source="on" has no effect: Longhorn acts on the value enabled only',
  ]);
});

test('UPDATE that leaves the backup labels as they were is always admitted (binding, resize)', () => {
  const invalid = pvc('data-pvc', labels({ enabled: 'yes', start: '2460' }));
  const bound = { ...invalid, spec: { ...invalid.spec, volumeName: 'pvc-123' } };
  assert.deepEqual(decideValidation(request('UPDATE', bound, invalid), context()), { uid: 'uid-1', allowed: true });
  const relabelled = pvc('data-pvc', { ...labels({ enabled: 'yes', start: '2460' }), app: 'db' });
  assert.deepEqual(decideValidation(request('UPDATE', relabelled, invalid), context()), {
    uid: 'uid-1',
    allowed: true,
  });
  // Even a duplicate that exists already does not block it.
  const dup = pvc('data-pvc', labels(ok));
  assert.deepEqual(
    decideValidation(
      request('UPDATE', { ...dup, spec: { storageClassName: 'longhorn', volumeName: 'v' } }, dup),
      context({ namespacePvcs: [otherPvc('older', ok)] }),
    ),
    { uid: 'uid-1', allowed: true },
  );
});

test('UPDATE that sets a bad value is refused', () => {
  const before = pvc('data-pvc', labels(ok));
  const response = decideValidation(
    request('UPDATE', pvc('data-pvc', labels({ ...ok, interval: '5' })), before),
    context(),
  );
  assert.equal(response.allowed, false);
  assert.match(response.status?.message ?? '', /interval="5" is not a divisor of 24/);
});

test('UPDATE that brings in a duplicate name is refused', () => {
  const before = pvc('data-pvc', labels({ ...ok, name: 'mine' }));
  const response = decideValidation(
    request('UPDATE', pvc('data-pvc', labels(ok)), before),
    context({ namespacePvcs: [otherPvc('older', ok)] }),
  );
  assert.match(response.status?.message ?? '', /is also used by PVC "older"/);
});

test('UPDATE: a problem that was already there does not block another change; it is repeated as a warning', () => {
  const before = pvc('data-pvc', labels({ ...ok, retain: '0' }));
  const fixOther = decideValidation(
    request('UPDATE', pvc('data-pvc', labels({ ...ok, retain: '0', interval: '6' })), before),
    context(),
  );
  assert.equal(fixOther.allowed, true);
  assert.deepEqual(fixOther.warnings, [
    `${P}/retain="0" is less than 1: use a whole number from 1 to 100 (e.g. ${P}/retain=1)`,
  ]);
  const optOut = decideValidation(
    request('UPDATE', pvc('data-pvc', labels({ enabled: 'false', retain: '0' })), before),
    context(),
  );
  assert.equal(optOut.allowed, true);
  // A new problem beside an old one: refused, and the message lists both.
  const worse = decideValidation(
    request('UPDATE', pvc('data-pvc', labels({ ...ok, retain: '0', start: '2460' })), before),
    context(),
  );
  assert.equal(worse.allowed, false);
  assert.match(worse.status?.message ?? '', /has 2 problems/);
});

test('UPDATE of a PVC of another provisioner: allowed, with the warning', () => {
  const before = pvc('data-pvc', {}, { storageClassName: 'nfs' });
  const response = decideValidation(
    request('UPDATE', pvc('data-pvc', labels({ enabled: 'yes' }), { storageClassName: 'nfs' }), before),
    context(),
  );
  assert.equal(response.allowed, true);
  assert.equal(response.warnings?.length, 1);
});

test('CONNECT is admitted', () => {
  assert.deepEqual(decideValidation(request('CONNECT', pvc('data-pvc')), context()), { uid: 'uid-1', allowed: true });
});
