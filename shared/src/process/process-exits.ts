// What both components' main modules do about errors that escape and about start-up failures.
import type { Logger } from '../logging/create-logger.ts';

/** Nothing may take the process down unnoticed: log what escaped, keep running. */
export function logEscapedErrors(log: Logger): void {
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'unhandled promise rejection');
  });
  process.on('uncaughtException', (error) => {
    log.error({ err: error }, 'uncaught exception');
  });
}

/** Logs `message` as fatal, repeats it as plain text on stderr (the container's last words), exits 1. */
export function exitWithFailure(log: Logger, message: string): never {
  log.fatal(message);
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
