// The configuration, hot-reloaded from one ConfigMap (key `config.yaml`) through an informer on
// that ConfigMap alone. Absent (or without the key) means every default. At start an invalid
// document is an error naming the key(s); at run time an invalid update (or one `refuse` objects
// to: a policy removed while PVCs use it) is logged, reported (Event on the ConfigMap,
// backup_config_valid 0) and the last good configuration stays.

import type { V1ConfigMap } from '@kubernetes/client-node';
import {
  ConfigListeners,
  type ConfigListener,
  type ConfigSource,
} from '@longhorn-backup-guard/shared/config/config-source';
import { defaultConfig, type GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { validConfigOrThrow } from '@longhorn-backup-guard/shared/config/invalid-configuration-error';
import { parseConfig, type ConfigParse } from '@longhorn-backup-guard/shared/config/parse-config';
import { Informer } from '@longhorn-backup-guard/shared/kube/informer/informer';
import type { InformerMetrics } from '@longhorn-backup-guard/shared/kube/informer/informer-metrics';
import { resourcePath } from '@longhorn-backup-guard/shared/kube/informer/resource-path';
import type { Logger } from '@longhorn-backup-guard/shared/logging/create-logger';
import { Gauge, type Registry } from 'prom-client';
import type { EventSpec } from '../model/actions.ts';
import type { KubeSource } from '@longhorn-backup-guard/shared/kube/kube-source';

export const CONFIG_DATA_KEY = 'config.yaml';

export interface ConfigMapSourceOptions {
  readonly kubeConfig: KubeSource;
  readonly namespace: string;
  readonly name: string;
  readonly log: Logger;
  readonly registry: Registry;
  readonly informerMetrics?: InformerMetrics;
  /** Records a Warning Event (an invalid update). */
  readonly recordEvent: (event: EventSpec) => Promise<void>;
  /** Why a valid update must still be refused, given the configuration in force (empty: it is not). */
  readonly refuse?: (config: GuardConfig, previous: GuardConfig) => readonly string[];
}

function parseConfigMap(configMap: V1ConfigMap | undefined): ConfigParse {
  const text = configMap?.data?.[CONFIG_DATA_KEY];
  if (text === undefined) return { ok: true, config: defaultConfig };
  return parseConfig(text);
}

export class ConfigMapSource implements ConfigSource {
  readonly #options: ConfigMapSourceOptions;
  readonly #listeners = new ConfigListeners();
  readonly #informer: Informer<V1ConfigMap>;
  readonly #valid: Gauge;
  #current: GuardConfig = defaultConfig;
  #started = false;

  constructor(options: ConfigMapSourceOptions) {
    this.#options = options;
    this.#valid = new Gauge({
      name: 'backup_config_valid',
      help: 'The last configuration read from the ConfigMap was valid (1) or refused (0; the last good one is in force).',
      registers: [options.registry],
    });
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
    let config: GuardConfig;
    try {
      config = validConfigOrThrow(parseConfigMap(this.#configMap()), this.#where);
    } catch (error) {
      await this.#informer.stop();
      throw error;
    }
    this.#current = config;
    this.#valid.set(1);
    this.#started = true;
    this.#options.log.info({ source: this.#where, present: this.#configMap() !== undefined }, 'configuration loaded');
    return config;
  }

  current(): GuardConfig {
    return this.#current;
  }

  onChange(listener: ConfigListener): () => void {
    return this.#listeners.add(listener);
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
    const refusals = parsed.ok
      ? (this.#options.refuse?.(parsed.config, this.#current) ?? [])
      : parsed.errors.map((error) => error.message);
    if (!parsed.ok || refusals.length > 0) {
      this.#valid.set(0);
      const message = `configuration refused, the last good one stays in force: ${refusals.join('; ')}`;
      this.#options.log.error({ source: this.#where, errors: refusals }, message);
      if (configMap !== undefined) {
        const involvedObject = {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          namespace: this.#options.namespace,
          name: this.#options.name,
          uid: configMap.metadata?.uid,
        };
        void this.#options.recordEvent({ involvedObject, type: 'Warning', reason: 'InvalidConfiguration', message });
      }
      return;
    }
    this.#valid.set(1);
    const previous = this.#current;
    if (JSON.stringify(previous) === JSON.stringify(parsed.config)) return;
    this.#current = parsed.config;
    this.#options.log.info({ source: this.#where, present: configMap !== undefined }, 'configuration changed');
    this.#listeners.notify(parsed.config, previous, this.#options.log);
  }
}
