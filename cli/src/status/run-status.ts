import type { CommandIo } from '../command-io.ts';
export async function runStatus(_args: readonly string[], _io: CommandIo): Promise<number> {
  return 0;
}
