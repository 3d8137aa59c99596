import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { EMPTY_REPORT } from '@longhorn-backup-guard/reconciler/model/key-report';
import type { EventSpec } from '@longhorn-backup-guard/reconciler/model/actions';
import { eventName } from '@longhorn-backup-guard/reconciler/events/event-name';
import { registerBackupGauges } from '@longhorn-backup-guard/reconciler/metrics/backup-gauges';
import { ReportStore } from '@longhorn-backup-guard/reconciler/metrics/report-store';

const event = (message: string, name = 'data'): EventSpec => ({
  involvedObject: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'shop', name, uid: 'u-1' },
  type: 'Warning',
  reason: 'InvalidBackupLabels',
  message,
});

test('an Event name is deterministic: same object, reason and message, same name; anything else differs', () => {
  assert.equal(eventName(event('x')), eventName(event('x')));
  assert.match(eventName(event('x')), /^data\.[0-9a-f]{8}$/);
  assert.notEqual(eventName(event('x')), eventName(event('y')));
  assert.notEqual(eventName(event('x')), eventName({ ...event('x'), reason: 'Other' }));
});

test('an Event name stays a valid DNS subdomain for any object name', () => {
  const name = eventName(event('x', `Weird_Name.${'a'.repeat(300)}`));
  assert.ok(name.length <= 253);
  assert.match(name, /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
});

test('gauges are built from the report store at scrape time: series come, change and go', async () => {
  const registry = new Registry();
  const store = new ReportStore();
  registerBackupGauges(registry, store);
  const key = { namespace: 'shop', pvcName: 'data' };
  store.set(key, { ...EMPTY_REPORT, violations: [{ condition: 'invalid_interval', message: 'm' }] });
  assert.match(
    await registry.metrics(),
    /backup_pvc_violation\{condition="invalid_interval",namespace="shop",pvc="data"\} 1/,
  );

  store.set(key, { ...EMPTY_REPORT, managed: ['backup-shop-data'] });
  let text = await registry.metrics();
  assert.doesNotMatch(text, /backup_pvc_violation\{/);
  assert.match(text, /backup_pvc_managed\{job="backup-shop-data",namespace="shop",pvc="data",policy=""\} 1/);

  store.set(key, {
    ...EMPTY_REPORT,
    managed: ['policy-standard-daily', 'policy-standard-weekly'],
    policies: ['standard'],
  });
  text = await registry.metrics();
  for (const job of ['policy-standard-daily', 'policy-standard-weekly'])
    assert.match(
      text,
      new RegExp(`backup_pvc_managed\\{job="${job}",namespace="shop",pvc="data",policy="standard"\\} 1`),
    );

  store.set(key, { ...EMPTY_REPORT, orphaned: ['backup-shop-data'], archiveReady: ['backup-shop-data'] });
  text = await registry.metrics();
  assert.match(text, /backup_pvc_orphaned\{job="backup-shop-data",namespace="shop",pvc="data"\} 1/);
  assert.match(text, /backup_archive_ready\{job="backup-shop-data",namespace="shop",pvc="data"\} 1/);

  store.set(key, EMPTY_REPORT);
  assert.doesNotMatch(await registry.metrics(), /pvc="data"/);
});

test('retainOnly forgets keys that left the scope', () => {
  const store = new ReportStore();
  store.set({ namespace: 'a', pvcName: 'x' }, { ...EMPTY_REPORT, managed: ['j'] });
  store.set({ namespace: 'b', pvcName: 'y' }, { ...EMPTY_REPORT, managed: ['k'] });
  store.retainOnly([{ namespace: 'a', pvcName: 'x' }]);
  assert.deepEqual(
    [...store.entries()].map((entry) => entry.key),
    [{ namespace: 'a', pvcName: 'x' }],
  );
});
