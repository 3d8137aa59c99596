// Backup policies in the ConfigMap: parsing, the job of each schedule, the messages of every
// refusal (the same form as the label messages), and serialise -> parse (property).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { defaultConfig, type GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { parseConfig } from '@longhorn-backup-guard/shared/config/parse-config';
import { serializeConfig } from '@longhorn-backup-guard/shared/config/serialize-config';
import { JOB_NAME_MAX_LENGTH } from '@longhorn-backup-guard/shared/intent/job-name';
import { recurringJobProblems } from '@longhorn-backup-guard/shared/longhorn/recurring-job-admission';
import { timingPeriodHours, type BackupPolicy } from '@longhorn-backup-guard/shared/policy/backup-policy';
import { desiredPolicyJob, policyCron } from '@longhorn-backup-guard/shared/recurring-job/policy-job';
import { POLICIES_YAML, arbitraryPolicies, withPolicies } from '../../fixtures/policy-config.ts';

function errors(text: string): string[] {
  const result = parseConfig(text);
  assert.ok(!result.ok, 'expected errors');
  return result.errors.map((error) => error.message);
}

describe('the policies of the issue', () => {
  const config = withPolicies();
  const [standard, frequent] = config.policies;

  test('names, groups, job names and crons (weekly: cron day of week, Sunday 0)', () => {
    assert.deepEqual(
      config.policies.map((policy) => [
        policy.name,
        policy.group,
        policy.schedules.map((s) => [s.jobName, s.task, policyCron(s.timing), s.retain, s.fullBackupInterval]),
      ]),
      [
        [
          'standard',
          'policy-standard',
          [
            ['policy-standard-daily', 'backup', '0 2 * * *', 7, 4],
            ['policy-standard-weekly', 'backup', '0 3 * * 0', 4, 1],
          ],
        ],
        [
          'frequent',
          'policy-frequent',
          [
            ['policy-frequent-snapshot-every-1h', 'snapshot', '30 * * * *', 24, null],
            ['policy-frequent-every-6h', 'backup', '30 0,6,12,18 * * *', 8, 4],
          ],
        ],
      ],
    );
  });

  test('each schedule is a job in the policy group that Longhorn accepts', () => {
    for (const policy of [standard, frequent] as BackupPolicy[]) {
      for (const schedule of policy.schedules) {
        const job = desiredPolicyJob(policy, schedule, config);
        assert.deepEqual(job.spec.groups, [policy.group]);
        assert.deepEqual(recurringJobProblems(job, config.maxRetention), []);
      }
    }
  });

  test('the stale window comes from the most frequent schedule', () => {
    assert.deepEqual(
      config.policies.map((policy) => Math.min(...policy.schedules.map((s) => timingPeriodHours(s.timing)))),
      [24, 1],
    );
  });

  test('an empty or absent policies key means none', () => {
    for (const text of ['', 'policies:\n', 'policies: {}\n']) {
      const parsed = parseConfig(text);
      assert.ok(parsed.ok);
      assert.deepEqual(parsed.ok && parsed.config.policies, []);
    }
  });
});

describe('refusals name the key path, what is wrong and a value that works', () => {
  const cases: readonly (readonly [string, readonly string[]])[] = [
    [
      'policies:\n  gold:\n    - {task: backup, every: 5h}\n',
      [
        'policies.gold[0].every: "5h" is not a divisor of 24 hours: use 1h, 2h, 3h, 4h, 6h, 8h, 12h or 24h (e.g. policies.gold[0].every: 6h)',
      ],
    ],
    [
      'policies:\n  gold:\n    - {task: backup, every: "6"}\n',
      [
        'policies.gold[0].every: "6" is not a number of hours such as 6h: use 1h, 2h, 3h, 4h, 6h, 8h, 12h or 24h (e.g. policies.gold[0].every: 6h)',
      ],
    ],
    [
      'policies:\n  gold:\n    - {task: backup, daily: "2:00"}\n',
      [
        'policies.gold[0].daily: "2:00" is not in HHMM form: use four digits HHMM from 0000 to 2359, a time of day in UTC (e.g. policies.gold[0].daily: 0200)',
      ],
    ],
    [
      'policies:\n  gold:\n    - {task: backup, weekly: {day: sunday, at: "0300"}}\n',
      [
        'policies.gold[0].weekly.day: "sunday" is not a day of the week: use sun, mon, tue, wed, thu, fri or sat (e.g. policies.gold[0].weekly.day: sun)',
      ],
    ],
    [
      'policies:\n  gold:\n    - {task: backup, daily: "0200", retain: 101}\n',
      [
        'policies.gold[0].retain: "101" is above the maximum of 100 (Longhorn\'s recurring-job-max-retention): use a whole number from 1 to 100 (e.g. policies.gold[0].retain: 100)',
      ],
    ],
    [
      'policies:\n  gold:\n    - {task: archive, daily: "0200"}\n',
      ['policies.gold[0].task: "archive" is not a task: use backup or snapshot (e.g. policies.gold[0].task: backup)'],
    ],
    [
      'policies:\n  gold:\n    - {daily: "0200"}\n',
      ['policies.gold[0].task is missing: use backup or snapshot (e.g. policies.gold[0].task: backup)'],
    ],
    [
      'policies:\n  gold:\n    - {task: backup, retain: 3}\n',
      ['policies.gold[0] has no schedule: use one of every, daily or weekly (e.g. policies.gold[0].daily: "0200")'],
    ],
    [
      'policies:\n  gold:\n    - {task: backup, daily: "0200", weekly: {day: sun, at: "0300"}}\n',
      ['policies.gold[0] sets daily and weekly: use one of them per schedule (a list item each)'],
    ],
    [
      'policies:\n  gold:\n    - {task: backup, daily: "0200", start: "0100"}\n',
      ['policies.gold[0].start goes only with every: daily and weekly give their own time (remove start)'],
    ],
    [
      'policies:\n  gold:\n    - {task: snapshot, daily: "0200", fullBackupInterval: 2}\n',
      ['policies.gold[0].fullBackupInterval applies only to task backup: remove it from this snapshot schedule'],
    ],
    [
      'policies:\n  gold:\n    - {task: backup, daily: "0200", retian: 3}\n',
      ['policies.gold[0].retian: unknown key: did you mean retain?'],
    ],
    [
      'policies:\n  gold:\n    - {task: backup, daily: "0200"}\n    - {task: backup, daily: "0400"}\n',
      [
        'policies.gold[1]: its job name policy-gold-daily is already that of policies.gold[0]: give one of them another name (e.g. policies.gold[1].name: daily-2)',
      ],
    ],
    [
      'policies:\n  a-very-long-policy-name-indeed:\n    - {task: backup, daily: "0200"}\n',
      [
        'policies.a-very-long-policy-name-indeed[0]: the job name policy-a-very-long-policy-name-indeed-daily has 43 characters, Longhorn allows 40: use a shorter policy name or give the schedule a shorter name (e.g. policies.a-very-long-policy-name-indeed[0].name: da)',
      ],
    ],
    [
      'policies:\n  Gold:\n    - {task: backup, daily: "0200"}\n',
      [
        'policies.Gold: "Gold" is not a policy name: use a DNS label, lowercase letters, digits and \'-\' (e.g. policies.standard)',
      ],
    ],
    [
      'policies:\n  gold: []\n',
      [
        'policies.gold has no schedules: list at least one (e.g. policies.gold: [{task: backup, daily: "0200", retain: 7}])',
      ],
    ],
    ['policies: [gold]\n', ['policies is a list: use a mapping of policy names to lists of schedules']],
  ];
  for (const [text, expected] of cases) {
    test(JSON.stringify(text), () => assert.deepEqual(errors(text), expected));
  }

  test('every problem at once, and nothing of an invalid set takes effect', () => {
    assert.equal(errors(`${POLICIES_YAML}  gold:\n    - {task: backup, every: 5h, retain: 0}\n`).length, 2);
  });

  test('every job name the parser accepts fits Longhorn', () => {
    const name = 'p'.repeat(JOB_NAME_MAX_LENGTH - 'policy--daily'.length);
    const parsed = parseConfig(`policies:\n  ${name}:\n    - {task: backup, daily: "0200"}\n`);
    assert.ok(parsed.ok);
    assert.equal(parsed.ok && parsed.config.policies[0]?.schedules[0]?.jobName.length, JOB_NAME_MAX_LENGTH);
  });
});

describe('serialise -> parse (property)', () => {
  test('the configuration comes back the same', () => {
    fc.assert(
      fc.property(arbitraryPolicies, (policies) => {
        const config: GuardConfig = { ...defaultConfig, policies };
        const parsed = parseConfig(serializeConfig(config));
        assert.ok(parsed.ok, JSON.stringify(parsed));
        assert.deepEqual(parsed.ok && parsed.config.policies, JSON.parse(JSON.stringify(config.policies)));
      }),
    );
  });
});
