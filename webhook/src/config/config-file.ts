// The configuration from the mounted ConfigMap file. The kubelet updates a ConfigMap volume by
// swapping a symlink, which file watches miss; reading the (small) file every few seconds and
// comparing the text sees every update. Invalid at start: an error naming the keys. Invalid later:
// logged, and the last good configuration stays in force.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ConfigListeners, type ConfigSource } from '@longhorn-backup-guard/shared/config/config-source';
import type { GuardConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { validConfigOrThrow } from '@longhorn-backup-guard/shared/config/invalid-configuration-error';
import { parseConfig } from '@longhorn-backup-guard/shared/config/parse-config';
import type { Logger } from '@longhorn-backup-guard/shared/logging/create-logger';

/** Parses the file's text; throws InvalidConfigurationError with every problem, each naming its key. */
export function parseConfigText(text: string, path: string): GuardConfig {
  return validConfigOrThrow(parseConfig(text), path);
}

export interface ConfigFileOptions {
  readonly path: string;
  readonly log: Logger;
  /** How often to read the file again (default 2 s). */
  readonly pollIntervalMs?: number;
}

export interface ConfigFileSource extends ConfigSource {
  stop(): void;
}

/** Reads and parses the file now (throws when missing or invalid), then follows its changes. */
export function watchConfigFile(options: ConfigFileOptions): ConfigFileSource {
  const { path, log } = options;
  let text = readFileSync(path, 'utf8');
  let config = parseConfigText(text, path);
  const listeners = new ConfigListeners();
  let checking = false;

  async function check(): Promise<void> {
    const latest = await readFile(path, 'utf8');
    if (latest === text) return;
    text = latest;
    const previous = config;
    config = parseConfigText(latest, path);
    log.info({ path }, 'configuration reloaded');
    listeners.notify(config, previous, log);
  }

  const timer = setInterval(() => {
    if (checking) return;
    checking = true;
    check()
      .catch((error: unknown) => {
        const detail = error instanceof Error ? error.message : String(error);
        log.error({ path, err: detail }, 'configuration not reloaded; the last good configuration stays in force');
      })
      .finally(() => {
        checking = false;
      });
  }, options.pollIntervalMs ?? 2_000);
  timer.unref();

  return {
    current: () => config,
    onChange: (listener) => listeners.add(listener),
    stop: () => clearInterval(timer),
  };
}
