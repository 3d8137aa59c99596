// Runs one component (webhook or reconciler) as its own Node process, as it runs in a Pod: its
// entry point, configuration through the environment, JSON logs to a file.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../tests/harness/paths.ts';
import { waitFor } from '../../tests/harness/wait-for.ts';

export interface ComponentProcess {
  name: string;
  pid: number;
  logFile: string;
  /** The exit code once the process has exited (null: killed by a signal), else undefined. */
  exitCode(): number | null | undefined;
  /** Sends SIGTERM (synchronously, usable in a signal handler). */
  terminate(): void;
  /** SIGTERM, then resolves once the process has exited. */
  stop(): Promise<void>;
}

export async function startComponent(
  name: 'webhook' | 'reconciler',
  env: Record<string, string>,
  logDir: string,
  readyUrl: string,
): Promise<ComponentProcess> {
  const logFile = join(logDir, `${name}.log`);
  const log = openSync(logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, [join(repoRoot, name, 'src', 'main.ts')], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  const pid = child.pid;
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      resolve();
    }),
  );
  await waitFor(
    `${name} /readyz`,
    async () => {
      if (exitCode !== undefined) throw new Error(`${name} exited with ${exitCode}; see ${logFile}`);
      const response = await fetch(readyUrl);
      return response.ok ? true : undefined;
    },
    60_000,
    200,
  );
  const terminate = () => {
    if (exitCode === undefined) child.kill('SIGTERM');
  };
  return {
    name,
    pid,
    logFile,
    exitCode: () => exitCode,
    terminate,
    async stop() {
      terminate();
      await exited;
    },
  };
}
