// `--config`: the product's ConfigMap (its `config.yaml` key) or that config.yaml itself, parsed
// by the very parser the components use, so an invalid file is refused with the same messages.

import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { defaultConfig, type GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { parseConfig } from '@longhorn-backup-guard/shared/config/parse-config';

export const CONFIG_KEY = 'config.yaml';

export type ConfigRead =
  { readonly ok: true; readonly config: GuardConfig } | { readonly ok: false; readonly errors: readonly string[] };

function configMapData(text: string): { isConfigMap: boolean; configText: string | undefined } {
  let value: unknown;
  try {
    value = parse(text);
  } catch {
    return { isConfigMap: false, configText: undefined };
  }
  if (typeof value !== 'object' || value === null || (value as { kind?: unknown }).kind !== 'ConfigMap')
    return { isConfigMap: false, configText: undefined };
  const data = (value as { data?: Record<string, unknown> }).data;
  const configText = data?.[CONFIG_KEY];
  return { isConfigMap: true, configText: typeof configText === 'string' ? configText : undefined };
}

/** The configuration a ConfigMap or config.yaml text holds; a ConfigMap without the key means the defaults. */
export function configFromText(text: string): ConfigRead {
  const { isConfigMap, configText } = configMapData(text);
  if (isConfigMap && configText === undefined) return { ok: true, config: defaultConfig };
  const parsed = parseConfig(isConfigMap ? (configText ?? '') : text);
  return parsed.ok
    ? { ok: true, config: parsed.config }
    : { ok: false, errors: parsed.errors.map((error) => error.message) };
}

export async function readConfigFile(path: string): Promise<ConfigRead> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return { ok: false, errors: [`${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`] };
  }
  const read = configFromText(text);
  return read.ok ? read : { ok: false, errors: read.errors.map((message) => `${path}: ${message}`) };
}
