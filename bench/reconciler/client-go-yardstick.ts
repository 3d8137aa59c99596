// The yardstick: the plain loop's work (each RecurringJob created, each Volume's job label patched)
// done by client-go (bench/tools/client-go-yardstick, built once into the cache), on the same
// control plane, in the same run, so the reconciler's time reads as a ratio to Go's. Then, timed
// apart, one Event per PVC like the reconciler's (same fields, a message of the same length), so
// the ratio can also be read against Go doing every write the reconciler does.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LONGHORN_LABEL_ENABLED, recurringJobLabelKey } from '@longhorn-backup-guard/shared/longhorn/api';
import { LONGHORN_NAMESPACE, type FleetPvc } from './fleet.ts';
import { desiredJobOf } from './raw-writes.ts';

const run = promisify(execFile);

export interface YardstickRun {
  /** Wall time of the job and label writes, as the program measured it. */
  readonly seconds: number;
  /** Wall time of the Event creates that followed. */
  readonly eventSeconds: number;
  readonly cpuSeconds: number;
  readonly maxRssMiB: number;
}

/** Builds the program once (bench/tools/client-go-yardstick.sh) and returns its path. */
export async function buildYardstick(): Promise<string> {
  const script = join(import.meta.dirname, '..', 'tools', 'client-go-yardstick.sh');
  const { stdout } = await run('bash', [script], { maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

export async function runYardstick(
  binary: string,
  kubeconfigPath: string,
  fleet: readonly FleetPvc[],
  concurrency: number,
  retain: number,
): Promise<YardstickRun> {
  const dir = await mkdtemp(join(tmpdir(), 'lbg-yardstick-'));
  try {
    const work = join(dir, 'work.jsonl');
    // LONGHORN_LABEL_ENABLED is what the program sets; the key is the reconciler's own.
    if (LONGHORN_LABEL_ENABLED !== 'enabled') throw new Error('the yardstick writes the label value "enabled"');
    await writeFile(
      work,
      fleet
        .map((pvc) =>
          JSON.stringify({
            namespace: LONGHORN_NAMESPACE,
            job: desiredJobOf(pvc, retain),
            volume: pvc.volume,
            label: recurringJobLabelKey(pvc.job),
            event: eventLike(pvc, retain),
          }),
        )
        .join('\n'),
    );
    const { stdout } = await run(
      binary,
      ['-kubeconfig', kubeconfigPath, '-work', work, '-concurrency', String(concurrency)],
      { maxBuffer: 1024 * 1024 },
    );
    return JSON.parse(stdout) as YardstickRun;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** An Event shaped as the reconciler's job story for `pvc` (event-recorder.ts, decide-present-pvc.ts). */
function eventLike(pvc: FleetPvc, retain: number): object {
  const time = new Date().toISOString();
  const message =
    `created RecurringJob ${pvc.job} in namespace ${LONGHORN_NAMESPACE}: every 24 h at 02:00 UTC, retain ${retain}, ` +
    `full backup every 0th run, concurrency 1; labelled Longhorn volume ${pvc.volume} with ${recurringJobLabelKey(pvc.job)}`;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${pvc.name}.yardstick-${randomUUID().slice(0, 8)}`, namespace: pvc.namespace },
    involvedObject: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: pvc.namespace, name: pvc.name },
    type: 'Normal',
    reason: 'BackupJobCreated',
    message,
    source: { component: 'longhorn-backup-guard/reconciler' },
    reportingComponent: 'longhorn-backup-guard/reconciler',
    reportingInstance: 'client-go-yardstick',
    firstTimestamp: time,
    lastTimestamp: time,
    count: 1,
  };
}
