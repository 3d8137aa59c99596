// longhorn-backup-guard (also the kubectl plugin `kubectl backup-guard`): `check` manifests
// offline with the webhook's rules, `status` of every Longhorn-backed PVC's backups.

import { runCheck } from './check/run-check.ts';
import { UsageError, type CommandIo } from './command/command-io.ts';

export const USAGE = `Usage: longhorn-backup-guard COMMAND [flags]
       kubectl backup-guard COMMAND [flags]

Commands:
  check PATH...   judge manifests (files, directories, - for stdin) with the webhook's rules, offline
  status          every Longhorn-backed PVC: protected or why not, schedule, last backup, health

Run a command with --help for its flags.
`;

export async function runCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case 'check':
        return await runCheck(rest, io);
      case 'status':
        // Loaded only here: the Kubernetes client is a large import that `check` never needs.
        return await (await import('./status/run-status.ts')).runStatus(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}: use check or status`);
    }
  } catch (error) {
    // parseArgs reports unknown flags and missing values with a code of this form.
    const code = (error as { code?: unknown }).code;
    if (error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      io.stderr.write(
        `longhorn-backup-guard: ${(error as Error).message}\nRun longhorn-backup-guard ${command ?? ''} --help for usage.\n`,
      );
      return 2;
    }
    throw error;
  }
}
