// Benchmarked servers run in a child process of their own, so the load generator (or the
// measuring script) never shares their event loop. The child reports over the IPC channel.
import { fork, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export interface ReadyMessage {
  readonly type: 'ready';
  readonly port?: number;
  readonly [key: string]: unknown;
}

export interface Child {
  readonly process: ChildProcess;
  readonly pid: number;
  readonly ready: ReadyMessage;
  /** Messages the child sent after 'ready', in order. */
  readonly messages: unknown[];
  /** SIGTERM, SIGKILL after `graceMs`; resolves when the child has exited. */
  stop(graceMs?: number): Promise<void>;
}

function isReady(message: unknown): message is ReadyMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'ready';
}

/**
 * Forks `script` with `args` and resolves once it sends { type: 'ready' }. Its stdout goes to
 * /dev/null unless `inheritStdout` (a server's per-request log lines are written as in
 * production, but nobody reads them); stderr is inherited so failures show.
 */
export async function startChild(
  script: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; inheritStdout?: boolean; timeoutMs?: number; execArgv?: readonly string[] } = {},
): Promise<Child> {
  const child = fork(script, [...args], {
    env: options.env ?? process.env,
    execArgv: [...process.execArgv, ...(options.execArgv ?? [])],
    stdio: ['ignore', options.inheritStdout === true ? 'inherit' : 'ignore', 'inherit', 'ipc'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${script}`);
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const messages: unknown[] = [];
  const ready = await new Promise<ReadyMessage>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script} did not report ready within ${options.timeoutMs ?? 120_000} ms`)),
      options.timeoutMs ?? 120_000,
    );
    child.on('message', (message: unknown) => {
      if (isReady(message)) {
        clearTimeout(timer);
        resolve(message);
      } else {
        messages.push(message);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (code ${code}, signal ${signal}) before it was ready`));
    });
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    await exited;
    throw error;
  });
  const stop = async (graceMs = 10_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return { process: child, pid, ready, messages, stop };
}

/** Resident set size of a live process in MiB: the peak (VmHWM) and now (VmRSS), from /proc. */
export async function residentMiB(pid: number): Promise<{ peak: number; current: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+)\\s+kB$`, 'm').exec(status);
    if (!match?.[1]) throw new Error(`no ${name} in /proc/${pid}/status`);
    return Number(match[1]) / 1024;
  };
  return { peak: field('VmHWM'), current: field('VmRSS') };
}

/** Sends { type: 'ready', ...details } to the parent (the child side of startChild). */
export function reportReady(details: Record<string, unknown> = {}): void {
  if (process.send === undefined) throw new Error('not started by startChild (no IPC channel)');
  process.send({ type: 'ready', ...details });
}

/** Runs `stop` on SIGTERM/SIGINT or when the parent goes away, then exits. */
export function stopWith(stop: () => Promise<void>): void {
  let stopping = false;
  const exit = () => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`stop failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', exit);
  process.once('SIGINT', exit);
  process.once('disconnect', exit);
}

/** CPU time (user + system) a live process has used so far, in seconds. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at ") "; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksPerSecond = 100;
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}
