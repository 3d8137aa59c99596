#!/usr/bin/env node
// The executable (npm bin `longhorn-backup-guard`, and `kubectl-backup_guard` for kubectl's plugin
// lookup). Needs Node >= 24 first on PATH (`npm ci` puts one in node_modules/.bin).
import { runCommand } from '../src/main.ts';

try {
  process.exitCode = await runCommand(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    now: () => new Date(),
  });
} catch (error) {
  process.stderr.write(`longhorn-backup-guard: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
