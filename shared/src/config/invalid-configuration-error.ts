// One error for a refused configuration, whichever component read it: the message names every
// key that is wrong and how to fix it.
import type { GuardConfig } from './guard-config.ts';
import type { ConfigError, ConfigParse } from './parse-config.ts';

export class InvalidConfigurationError extends Error {
  readonly errors: readonly ConfigError[];

  /** `source` says where the configuration was read, e.g. a file path or a ConfigMap. */
  constructor(source: string, errors: readonly ConfigError[]) {
    super(`invalid configuration in ${source}:\n${errors.map((error) => `  ${error.message}`).join('\n')}`);
    this.name = 'InvalidConfigurationError';
    this.errors = errors;
  }
}

/** The parsed configuration, or an InvalidConfigurationError naming every problem. */
export function validConfigOrThrow(parsed: ConfigParse, source: string): GuardConfig {
  if (parsed.ok) return parsed.config;
  throw new InvalidConfigurationError(source, parsed.errors);
}
