// The configuration in force, and who to tell when it changes: one contract for both components
// (the webhook reads a mounted file, the reconciler the ConfigMap itself).
import type { Logger } from '../logging/create-logger.ts';
import type { GuardConfig } from './guard-config.ts';

export type ConfigListener = (config: GuardConfig, previous: GuardConfig) => void;

export interface ConfigSource {
  current(): GuardConfig;
  /** Called after a valid change took effect (not for the first configuration); returns the unsubscribe function. */
  onChange(listener: ConfigListener): () => void;
}

/** A configuration that never changes (tests, benchmarks). */
export function staticConfig(config: GuardConfig): ConfigSource {
  return { current: () => config, onChange: () => () => undefined };
}

/** The listeners of a ConfigSource: one failing listener is logged and does not stop the others. */
export class ConfigListeners {
  readonly #listeners = new Set<ConfigListener>();

  add(listener: ConfigListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  notify(config: GuardConfig, previous: GuardConfig, log: Logger): void {
    for (const listener of this.#listeners) {
      try {
        listener(config, previous);
      } catch (error) {
        log.error({ err: error }, 'a configuration listener failed');
      }
    }
  }
}
