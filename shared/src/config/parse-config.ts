// ConfigMap YAML -> a validated, frozen GuardConfig (the shape is documented in guard-config.ts).
// Every error is reported at once, each naming its key path and the fix. A missing key, or one
// set to null, takes its default.

import { formatDuration } from '../cron/go-duration.ts';
import { SETTING_NAMES, parseSetting, type BackupSettings } from '../intent/backup-settings.ts';
import type { SettingName } from '../intent/label-schema.ts';
import type { ValueProblem } from '../intent/rule-result.ts';
import { closestMatch } from '../text/closest-match.ts';
import { deepFreeze } from '../util/deep-freeze.ts';
import {
  LONGHORN_MAX_RETENTION_LIMIT,
  booleanRule,
  durationRule,
  failingAfterRule,
  labelKeyRule,
  labelPrefixRule,
  maxRetentionRule,
  archiveMaxAttemptsRule,
  namespaceRule,
  optionalBooleanRule,
  provisionerRule,
  type ConfigRule,
} from './config-rules.ts';
import { defaultConfig, defaultNamespacePolicyLabel, type GuardConfig } from './guard-config.ts';
import { parsePolicies } from './parse-policies.ts';
import { readYamlTree, type YamlTree } from './yaml-tree.ts';

export interface ConfigError {
  /** Key path such as `defaults.interval` or `excludedNamespaces[2]`; empty for the document. */
  readonly path: string;
  readonly message: string;
}

export type ConfigParse =
  { readonly ok: true; readonly config: GuardConfig } | { readonly ok: false; readonly errors: readonly ConfigError[] };

const TOP_KEYS: readonly (keyof GuardConfig)[] = [
  'labelPrefix',
  'defaults',
  'maxRetention',
  'longhornNamespace',
  'provisioner',
  'excludedNamespaces',
  'namespacePolicyLabel',
  'clusterDefaultEnabled',
  'watchNamespaces',
  'orphanGracePeriod',
  'resyncPeriod',
  'denyDeleteWithoutArchive',
  'snapshotReadyTimeout',
  'backupCompletionTimeout',
  'archiveMaxAttempts',
  'backupStaleSlack',
  'backupFailingAfter',
  'policies',
];

type YamlMap = ReadonlyMap<string, YamlTree>;

function childPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function isMapping(value: YamlTree): value is YamlMap {
  return value instanceof Map;
}

function describeKind(value: YamlTree): string {
  return typeof value === 'string' ? 'a single value' : Array.isArray(value) ? 'a list' : 'a mapping';
}

export function parseConfig(text: string): ConfigParse {
  const read = readYamlTree(text);
  if (!read.ok)
    return { ok: false, errors: read.errors.map((message) => ({ path: '', message: `not valid YAML: ${message}` })) };
  const errors: ConfigError[] = [];

  function problem(path: string, value: string, failure: ValueProblem): void {
    const example = failure.example === null ? '' : ` (e.g. ${path}: ${failure.example})`;
    errors.push({ path, message: `${path}: ${JSON.stringify(value)} ${failure.reason}: ${failure.allowed}${example}` });
  }

  function wrongKind(path: string, value: YamlTree, wanted: string, example: string | null): void {
    const hint = example === null ? '' : ` (e.g. ${path}: ${example})`;
    errors.push({ path, message: `${path || 'the configuration'} is ${describeKind(value)}: use ${wanted}${hint}` });
  }

  /** The mapping at `path`; null is an empty mapping. `nested` names keys that belong one level down. */
  function mapping(
    value: YamlTree,
    path: string,
    keys: readonly string[],
    nested: Readonly<Record<string, readonly string[]>> = {},
  ): YamlMap {
    if (value === null) return new Map();
    if (!isMapping(value)) {
      wrongKind(path, value, `a mapping of ${keys.join(', ')}`, null);
      return new Map();
    }
    for (const key of value.keys()) {
      if (keys.includes(key)) continue;
      const nestedMatches = Object.entries(nested).map(
        ([parent, children]) => [parent, closestMatch(key, children)] as const,
      );
      const misplaced = nestedMatches.find(([, match]) => match !== null);
      const suggestion =
        closestMatch(key, keys) ?? (misplaced === undefined ? null : `${misplaced[0]}.${misplaced[1] ?? ''}`);
      const hint = suggestion === null ? `the known keys are ${keys.join(', ')}` : `did you mean ${suggestion}?`;
      errors.push({ path: childPath(path, key), message: `${childPath(path, key)}: unknown key: ${hint}` });
    }
    return value;
  }

  function scalar<T>(map: YamlMap, path: string, key: string, rule: ConfigRule<T>, fallback: T): T {
    const value = map.get(key) ?? null;
    const keyPath = childPath(path, key);
    if (value === null) return fallback;
    if (typeof value !== 'string') {
      const emptyFailure = rule('');
      wrongKind(keyPath, value, 'a single value', emptyFailure.ok ? null : emptyFailure.failure.example);
      return fallback;
    }
    const result = rule(value);
    if (result.ok) return result.value;
    problem(keyPath, value, result.failure);
    return fallback;
  }

  function namespaceList(map: YamlMap, key: string, fallback: readonly string[]): readonly string[] {
    const value = map.get(key) ?? null;
    if (value === null) return fallback;
    if (!Array.isArray(value)) {
      wrongKind(key, value, 'a list of namespace names', `[${fallback.join(', ') || 'team-a, team-b'}]`);
      return fallback;
    }
    const items = value as readonly YamlTree[];
    return items.flatMap((item, index) => {
      const itemPath = `${key}[${index}]`;
      if (typeof item !== 'string') {
        wrongKind(itemPath, item, 'a namespace name', 'longhorn-system');
        return [];
      }
      const result = namespaceRule(item);
      if (result.ok) return [result.value];
      problem(itemPath, item, result.failure);
      return [];
    });
  }

  const root = mapping(read.tree, '', TOP_KEYS, { defaults: SETTING_NAMES });
  const labelPrefix = scalar(root, '', 'labelPrefix', labelPrefixRule, defaultConfig.labelPrefix);
  const errorsBefore = errors.length;
  const maxRetention = scalar(root, '', 'maxRetention', maxRetentionRule, defaultConfig.maxRetention);
  // With maxRetention refused, judge retain by Longhorn's own limit rather than by a guess.
  const retentionForDefaults = errors.length === errorsBefore ? maxRetention : LONGHORN_MAX_RETENTION_LIMIT;
  const defaultsMap = mapping(root.get('defaults') ?? null, 'defaults', SETTING_NAMES);
  if ((defaultsMap.get('retain') ?? null) === null && defaultConfig.defaults.retain > retentionForDefaults) {
    const message = `defaults.retain: the built-in default ${defaultConfig.defaults.retain} is above maxRetention ${maxRetention}: set defaults.retain as well (e.g. defaults.retain: ${maxRetention})`;
    errors.push({ path: 'defaults.retain', message });
  }
  const setting = <K extends SettingName>(name: K): BackupSettings[K] =>
    scalar(
      defaultsMap,
      'defaults',
      name,
      (text) => parseSetting(name, text, retentionForDefaults),
      defaultConfig.defaults[name],
    );
  const defaults = Object.fromEntries(SETTING_NAMES.map((name) => [name, setting(name)])) as unknown as BackupSettings;
  const duration = (
    key: 'orphanGracePeriod' | 'resyncPeriod' | 'snapshotReadyTimeout' | 'backupCompletionTimeout' | 'backupStaleSlack',
  ): number => scalar(root, '', key, durationRule(formatDuration(defaultConfig[key])), defaultConfig[key]);

  const config: GuardConfig = {
    labelPrefix,
    defaults,
    maxRetention,
    longhornNamespace: scalar(root, '', 'longhornNamespace', namespaceRule, defaultConfig.longhornNamespace),
    provisioner: scalar(root, '', 'provisioner', provisionerRule, defaultConfig.provisioner),
    excludedNamespaces: namespaceList(root, 'excludedNamespaces', defaultConfig.excludedNamespaces),
    namespacePolicyLabel: scalar(
      root,
      '',
      'namespacePolicyLabel',
      labelKeyRule,
      defaultNamespacePolicyLabel(labelPrefix),
    ),
    clusterDefaultEnabled: scalar<boolean | null>(
      root,
      '',
      'clusterDefaultEnabled',
      optionalBooleanRule,
      defaultConfig.clusterDefaultEnabled,
    ),
    watchNamespaces: namespaceList(root, 'watchNamespaces', defaultConfig.watchNamespaces),
    orphanGracePeriod: duration('orphanGracePeriod'),
    resyncPeriod: duration('resyncPeriod'),
    denyDeleteWithoutArchive: scalar(
      root,
      '',
      'denyDeleteWithoutArchive',
      booleanRule,
      defaultConfig.denyDeleteWithoutArchive,
    ),
    snapshotReadyTimeout: duration('snapshotReadyTimeout'),
    backupCompletionTimeout: duration('backupCompletionTimeout'),
    archiveMaxAttempts: scalar(
      root,
      '',
      'archiveMaxAttempts',
      archiveMaxAttemptsRule,
      defaultConfig.archiveMaxAttempts,
    ),
    backupStaleSlack: duration('backupStaleSlack'),
    backupFailingAfter: scalar(root, '', 'backupFailingAfter', failingAfterRule, defaultConfig.backupFailingAfter),
    policies: parsePolicies(
      root.get('policies') ?? null,
      {
        mapping,
        scalar,
        wrongKind,
        error: (path, message) => errors.push({ path, message }),
        errorCount: () => errors.length,
      },
      { defaults, maxRetention: retentionForDefaults },
    ),
  };
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config: deepFreeze(config) };
}
