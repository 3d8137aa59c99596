// The configuration in force, and who to tell when it changes.
import type { GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';

export type ConfigListener = (config: GuardConfig, previous: GuardConfig) => void;

export interface ConfigSource {
  current(): GuardConfig;
  /** Returns the unsubscribe function. */
  onChange(listener: ConfigListener): () => void;
}

/** A configuration that never changes (tests, benchmarks). */
export function staticConfig(config: GuardConfig): ConfigSource {
  return { current: () => config, onChange: () => () => undefined };
}
