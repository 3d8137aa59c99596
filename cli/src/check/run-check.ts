// `longhorn-backup-guard check [flags] PATH…`: reads, judges, prints; returns the exit code.

import { parseArgs } from 'node:util';
import { defaultConfig, type GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import {
  DEFAULT_CLASS_ANNOTATIONS,
  type StorageClassLike,
} from '@longhorn-backup-guard/shared/storage/storage-class-of';
import { readConfigFile } from '../config/read-config-file.ts';
import { UsageError, type CommandIo } from '../command/command-io.ts';
import { checkManifests } from './check-manifests.ts';
import { exitCodeOf, type CheckReport, type Finding, type InputProblem } from './findings.ts';
import { formatJson, formatText } from './format-report.ts';
import { manifestObjects, type ManifestObject } from './manifest-objects.ts';
import { readInputs } from './read-inputs.ts';

export const CHECK_USAGE = `Usage: longhorn-backup-guard check [flags] PATH... (a file, a directory, or - for stdin)

Judges every PersistentVolumeClaim and StatefulSet volumeClaimTemplate as the webhook would.
Exit status: 0 clean, 1 violations (or warnings with --strict), 2 unusable input.

Flags:
  -o, --output text|json           output format (default text)
  -n, --namespace NS               namespace of objects that name none (default "default")
      --config FILE                the product's ConfigMap, or its config.yaml (default: the defaults)
      --storage-class NAME=PROV    a StorageClass and its provisioner (repeatable)
      --default-storage-class NAME the cluster's default StorageClass
      --namespace-policy NS=BOOL   the namespace's policy label (repeatable)
      --strict                     warnings fail the check too
`;

function parseStorageClasses(
  values: readonly string[],
  defaultClass: string | undefined,
  config: GuardConfig,
): StorageClassLike[] {
  const classes = values.map((value): StorageClassLike => {
    const [name = '', provisioner = config.provisioner] = value.split('=', 2);
    if (name === '')
      throw new UsageError(
        `--storage-class ${JSON.stringify(value)}: use NAME=PROVISIONER (e.g. --storage-class longhorn=${config.provisioner})`,
      );
    return { metadata: { name }, provisioner };
  });
  if (defaultClass === undefined) return classes;
  const defaults = { [DEFAULT_CLASS_ANNOTATIONS[0]]: 'true' };
  const given = classes.find((storageClass) => storageClass.metadata?.name === defaultClass);
  if (given === undefined)
    return [...classes, { metadata: { name: defaultClass, annotations: defaults }, provisioner: config.provisioner }];
  return classes.map((storageClass) =>
    storageClass === given ? { ...given, metadata: { name: defaultClass, annotations: defaults } } : storageClass,
  );
}

function parsePolicies(values: readonly string[]): Map<string, boolean> {
  return new Map(
    values.map((value) => {
      const [namespace = '', policy = ''] = value.split('=', 2);
      if (namespace === '' || (policy !== 'true' && policy !== 'false'))
        throw new UsageError(`--namespace-policy ${JSON.stringify(value)}: use NAMESPACE=true or NAMESPACE=false`);
      return [namespace, policy === 'true'];
    }),
  );
}

function inInputOrder(findings: readonly Finding[], sources: readonly string[]): Finding[] {
  const order = new Map(sources.map((source, index) => [source, index]));
  return [...findings].sort(
    (a, b) =>
      (order.get(a.position.source) ?? 0) - (order.get(b.position.source) ?? 0) ||
      a.position.document - b.position.document ||
      (a.position.line ?? 0) - (b.position.line ?? 0),
  );
}

export async function runCheck(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o', default: 'text' },
      namespace: { type: 'string', short: 'n' },
      config: { type: 'string' },
      'storage-class': { type: 'string', multiple: true, default: [] },
      'default-storage-class': { type: 'string' },
      'namespace-policy': { type: 'string', multiple: true, default: [] },
      strict: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(CHECK_USAGE);
    return 0;
  }
  if (values.output !== 'text' && values.output !== 'json')
    throw new UsageError(`-o ${values.output}: use text or json`);
  if (positionals.length === 0)
    throw new UsageError(
      'give the manifests to check: files, directories, or - for stdin (e.g. kustomize build . | longhorn-backup-guard check -)',
    );

  let config = defaultConfig;
  const problems: InputProblem[] = [];
  if (values.config !== undefined) {
    const read = await readConfigFile(values.config);
    if (read.ok) config = read.config;
    else
      problems.push(
        ...read.errors.map((message) => ({
          source: values.config ?? '',
          line: null,
          message: `is not a usable configuration: ${message}`,
        })),
      );
  }
  const { inputs, problems: readProblems } = await readInputs(positionals, io.stdin);
  problems.push(...readProblems);
  const objects: ManifestObject[] = [];
  for (const input of inputs) {
    const parsed = manifestObjects(input);
    objects.push(...parsed.objects);
    problems.push(...parsed.problems);
  }
  const result = checkManifests(objects, {
    config,
    namespace: values.namespace ?? null,
    storageClasses: parseStorageClasses(values['storage-class'], values['default-storage-class'], config),
    namespacePolicies: parsePolicies(values['namespace-policy']),
    now: io.now(),
  });
  const report: CheckReport = {
    ...result,
    findings: inInputOrder(
      result.findings,
      inputs.map((input) => input.name),
    ),
    problems,
  };
  const exitCode = exitCodeOf(report, values.strict);
  io.stdout.write(values.output === 'json' ? formatJson(report, exitCode) : formatText(report));
  return exitCode;
}
