// What a command may touch of the process, so tests run commands in-process with their own
// streams and clock; main.ts passes the real ones.

export interface CommandIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: NodeJS.ProcessEnv;
  readonly now: () => Date;
}

/** A mistake in the command line: printed with the usage hint, exit status 2. */
export class UsageError extends Error {}
