// Random runs of the workflow against a Longhorn that does anything in any order, with time
// passing, the PVC and the volume disappearing: the invariants hold at every step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { defaultConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import type { Backup } from '@longhorn-backup-guard/shared/longhorn/types';
import { archiveWorkflow } from '@longhorn-backup-guard/reconciler/archive/archive-workflow';
import { archiveObjectName } from '@longhorn-backup-guard/reconciler/archive/archive-names';
import {
  JOB,
  P,
  UID,
  apply,
  archivingWorld,
  contextOf,
  flags,
  later,
  longhorn,
  type World,
} from './archive-fixtures.ts';

type Command =
  | { kind: 'reconcile' }
  | { kind: 'wait'; ms: number }
  /** Longhorn moves the current attempt's newest object on: well, badly, or slowly. */
  | { kind: 'longhorn'; how: 'well' | 'badly' | 'slowly' };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: fc.constant<Command>({ kind: 'reconcile' }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 3 * 3_600_000 }).map<Command>((ms) => ({ kind: 'wait', ms })) },
  {
    weight: 4,
    arbitrary: fc.constantFrom('well', 'well', 'badly', 'slowly').map<Command>((how) => ({ kind: 'longhorn', how })),
  },
);

/** Longhorn acting on the attempt's Backup if there is one, else on its Snapshot. */
function playLonghorn(world: World, name: string, how: 'well' | 'badly' | 'slowly'): World {
  if (world.backups.some((b) => b.metadata.name === name)) {
    const status = {
      well: { state: 'Completed', url: 's3://x' },
      badly: { state: 'Error', error: 'target gone' },
      slowly: { state: 'InProgress' },
    }[how];
    return longhorn(world, 'backups', name, status);
  }
  const status = { well: { readyToUse: true }, badly: { error: 'snapshot failed' }, slowly: {} }[how];
  return longhorn(world, 'snapshots', name, status);
}

/** An index in a quarter of the runs. */
const sometimes = fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat(80) });

const attemptOf = (name: string) => Number(name.split('-').at(-1));
const currentAttempt = (world: World) => Number(world.job?.metadata.annotations?.[`${P}/archive-attempt`] ?? '0');

test('random runs: never a delete, nothing made twice, one attempt at a time, Backups only of ready Snapshots, ready is final', () => {
  fc.assert(
    fc.property(
      fc.array(command, { minLength: 10, maxLength: 80, size: 'max' }),
      sometimes,
      sometimes,
      (commands, pvcDeletedAt, volumeDeletedAt) => {
        let world = archivingWorld({
          config: { ...defaultConfig, snapshotReadyTimeout: 600_000, backupCompletionTimeout: 3_600_000 },
        });
        let wasReady = false;
        for (const [index, cmd] of commands.entries()) {
          if (index === pvcDeletedAt) world = { ...world, pvc: undefined };
          if (index === volumeDeletedAt) world = { ...world, volumes: [] };
          const current = archiveObjectName(JOB, UID, Math.max(1, currentAttempt(world)));
          if (cmd.kind === 'wait') world = later(world, cmd.ms);
          else if (cmd.kind === 'longhorn') world = playLonghorn(world, current, cmd.how);
          else {
            const outcome = archiveWorkflow.reconcile(contextOf(world));
            for (const action of outcome.actions) {
              assert.notEqual(action.type, 'delete');
              if (action.type !== 'create') continue;
              const existing = action.target.resource === 'snapshots' ? world.snapshots : world.backups;
              assert.ok(
                !existing.some((o) => o.metadata.name === action.target.name),
                `${action.target.name} made twice`,
              );
              assert.ok(
                attemptOf(action.target.name) <= defaultConfig.archiveMaxAttempts,
                'at most archiveMaxAttempts attempts',
              );
              if (action.target.resource === 'backups') {
                const snapshotName = (action.body as Backup).spec?.snapshotName;
                assert.equal(
                  world.snapshots.find((s) => s.metadata.name === snapshotName)?.status?.readyToUse,
                  true,
                  'a Backup only of a ready Snapshot',
                );
              } else {
                const attempt = attemptOf(action.target.name);
                assert.ok(
                  world.snapshots.every((s) => attemptOf(s.metadata.name ?? '') < attempt),
                  'attempts follow each other: 1, 2, 3 ...',
                );
                assert.ok(
                  !world.snapshots.some((s) => s.status?.readyToUse === true && !s.status.error),
                  'no new Snapshot while a ready one can be reused',
                );
                const previous = world.job?.metadata.annotations ?? {};
                if (attempt > 1)
                  assert.ok(
                    previous[`${P}/archive-failed-at`] !== undefined,
                    'a new attempt only after the last one was recorded failed',
                  );
              }
              assert.ok(world.volumes.length > 0, 'nothing is made for a volume that is gone');
            }
            if (wasReady) {
              assert.equal(flags(outcome).split(',').includes('ready'), true, 'ready stays ready');
              assert.ok(
                outcome.actions.every((a) => a.type === 'event'),
                'nothing is written once ready',
              );
            }
            wasReady = flags(outcome).split(',').includes('ready');
            world = apply(world, outcome.actions);
          }
        }
      },
    ),
    { numRuns: 300 },
  );
});
