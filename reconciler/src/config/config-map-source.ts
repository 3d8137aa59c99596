// The configuration, hot-reloaded from one ConfigMap (key `config.yaml`) through an informer on
// that ConfigMap alone. Absent (or without the key) means every default. At start an invalid
// document is an error naming the key(s); at run time an invalid update is logged, reported
// (Event on the ConfigMap, backup_config_valid 0) and the last good configuration stays.

import type { KubeConfig, V1ConfigMap } from '@kubernetes/client-node';
import { defaultConfig, type GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { parseConfig, type ConfigError } from '@longhorn-backup-guard/shared/config/parse-config';
import { Informer } from '@longhorn-backup-guard/shared/kube/informer/informer';
import type { InformerMetrics } from '@longhorn-backup-guard/shared/kube/informer/informer-metrics';
import { resourcePath } from '@longhorn-backup-guard/shared/kube/informer/resource-path';
import type { Logger } from '@longhorn-backup-guard/shared/logging/create-logger';
import { Gauge, type Registry } from 'prom-client';
import type { EventSpec } from '../decide/actions.ts';

export const CONFIG_DATA_KEY = 'config.yaml';

export class InvalidConfigurationError extends Error {
  readonly errors: readonly ConfigError[];

  constructor(source: string, errors: readonly ConfigError[]) {
    super(`invalid configuration in ${source}:\n${errors.map((error) => `  ${error.message}`).join('\n')}`);
    this.name = 'InvalidConfigurationError';
    this.errors = errors;
  }
}

export interface ConfigSourceOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly name: string;
  readonly log: Logger;
  readonly registry: Registry;
  readonly informerMetrics?: InformerMetrics;
  /** Records a Warning Event (an invalid update). */
  readonly recordEvent: (event: EventSpec) => Promise<void>;
  /** A valid change took effect (not called for the first configuration). */
  readonly onChange: (config: GuardConfig, previous: GuardConfig) => void;
}

type Parsed = { readonly ok: true; readonly config: GuardConfig } | { readonly ok: false; readonly errors: readonly ConfigError[] };

function parseConfigMap(configMap: V1ConfigMap | undefined): Parsed {
  const text = configMap?.data?.[CONFIG_DATA_KEY];
  if (text === undefined) return { ok: true, config: defaultConfig };
  return parseConfig(text);
}

export class ConfigSource {
  readonly #options: ConfigSourceOptions;
  readonly #informer: Informer<V1ConfigMap>;
  readonly #valid: Gauge;
  #current: GuardConfig = defaultConfig;
  #started = false;

  constructor(options: ConfigSourceOptions) {
    this.#options = options;
    this.#valid = new Gauge({ name: 'backup_config_valid', help: 'The last configuration read from the ConfigMap was valid (1) or refused (0; the last good one is in force).', registers: [options.registry] });
    const onEvent = () => this.#reload();
    this.#informer = new Informer<V1ConfigMap>({
      resource: 'configmaps',
      kubeConfig: options.kubeConfig,
      path: resourcePath({ version: 'v1', plural: 'configmaps', namespace: options.namespace }),
      fieldSelector: `metadata.name=${options.name}`,
      log: options.log,
      metrics: options.informerMetrics,
      handler: { onAdd: onEvent, onUpdate: onEvent, onDelete: onEvent },
    });
  }

  get #where(): string {
    return `ConfigMap ${this.#options.namespace}/${this.#options.name} (key ${CONFIG_DATA_KEY})`;
  }

  /** Reads the ConfigMap once; throws InvalidConfigurationError when it is invalid. Then follows changes. */
  async start(): Promise<GuardConfig> {
    this.#informer.start();
    if (!(await this.#informer.whenSynced())) throw new Error(`stopped before ${this.#where} was read`);
    const parsed = parseConfigMap(this.#configMap());
    if (!parsed.ok) {
      await this.#informer.stop();
      throw new InvalidConfigurationError(this.#where, parsed.errors);
    }
    this.#current = parsed.config;
    this.#valid.set(1);
    this.#started = true;
    this.#options.log.info({ source: this.#where, present: this.#configMap() !== undefined }, 'configuration loaded');
    return parsed.config;
  }

  get current(): GuardConfig {
    return this.#current;
  }

  async stop(): Promise<void> {
    await this.#informer.stop();
  }

  #configMap(): V1ConfigMap | undefined {
    return this.#informer.get(`${this.#options.namespace}/${this.#options.name}`);
  }

  #reload(): void {
    if (!this.#started) return;
    const configMap = this.#configMap();
    const parsed = parseConfigMap(configMap);
    if (!parsed.ok) {
      this.#valid.set(0);
      const message = `configuration refused, the last good one stays in force: ${parsed.errors.map((error) => error.message).join('; ')}`;
      this.#options.log.error({ source: this.#where, errors: parsed.errors }, message);
      if (configMap !== undefined) {
        const involvedObject = { apiVersion: 'v1', kind: 'ConfigMap', namespace: this.#options.namespace, name: this.#options.name, uid: configMap.metadata?.uid };
        void this.#options.recordEvent({ involvedObject, type: 'Warning', reason: 'InvalidConfiguration', message });
      }
      return;
    }
    this.#valid.set(1);
    const previous = this.#current;
    if (JSON.stringify(previous) === JSON.stringify(parsed.config)) return;
    this.#current = parsed.config;
    this.#options.log.info({ source: this.#where, present: configMap !== undefined }, 'configuration changed');
    this.#options.onChange(parsed.config, previous);
  }
}
