// Request/answer over a child's IPC channel: { id, command } out, { id, ...answer } back.
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Child } from '../lib/child-process.ts';

/** memory: a full garbage collection first (the child runs with --expose-gc), so heapUsed is the live set. */
export type ReconcilerCommand = 'writes' | 'resync' | 'idle' | 'memory';

/** Writes so far by `resource/verb` (the reconciler's own WriteCounter). */
export type WriteTotals = Record<string, number>;

export interface ReconcilerAnswer {
  readonly id: number;
  readonly writes: WriteTotals;
  /** Reconciles (decisions) so far, whatever their result (controller_runtime_reconcile_total). */
  readonly reconciles: number;
  /** The child's process.memoryUsage() when it answered. */
  readonly memory: NodeJS.MemoryUsage;
  readonly error?: string;
}

let nextId = 1;

export function askReconciler(
  child: ChildProcess,
  command: ReconcilerCommand,
  timeoutMs = 600_000,
): Promise<ReconcilerAnswer> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`the reconciler did not answer ${command} within ${timeoutMs} ms`));
    }, timeoutMs);
    function onMessage(message: unknown): void {
      const answer = message as Partial<ReconcilerAnswer> | null;
      if (answer?.id !== id) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      if (answer.error !== undefined) reject(new Error(`the reconciler failed ${command}: ${answer.error}`));
      else resolve(answer as ReconcilerAnswer);
    }
    child.on('message', onMessage);
    child.send({ id, command });
  });
}

export function isCommand(message: unknown): message is { id: number; command: ReconcilerCommand } {
  const m = message as { id?: unknown; command?: unknown } | null;
  return (
    typeof m?.id === 'number' &&
    (m.command === 'writes' || m.command === 'resync' || m.command === 'idle' || m.command === 'memory')
  );
}

/** Waits until the reconciler is idle and its write count has not moved for `quietMs`. */
export async function settle(child: Child, quietMs = 2_000): Promise<WriteTotals> {
  let previous = JSON.stringify((await askReconciler(child.process, 'idle')).writes);
  for (;;) {
    await sleep(quietMs);
    const current = (await askReconciler(child.process, 'idle')).writes;
    if (JSON.stringify(current) === previous) return current;
    previous = JSON.stringify(current);
  }
}
