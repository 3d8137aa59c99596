// The texts `check` reads: files, directories (recursively, *.yaml, *.yml and *.json, in name
// order) and `-` for stdin. A path that cannot be read is an input problem, not a crash.

import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { InputProblem } from './findings.ts';

export interface InputText {
  /** The path as given (or found under a directory), `<stdin>` for `-`. */
  readonly name: string;
  readonly text: string;
}

/** A bound on one input, so a stray binary or a runaway `helm template` cannot exhaust memory. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

export const STDIN_NAME = '<stdin>';

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > MAX_INPUT_BYTES) throw new Error(`is larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const found: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) found.push(...(await filesUnder(path)));
    else if (entry.isFile() && MANIFEST_FILE.test(entry.name)) found.push(path);
  }
  return found;
}

async function readOne(path: string): Promise<InputText> {
  const info = await stat(path);
  if (info.size > MAX_INPUT_BYTES) throw new Error(`is larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB`);
  return { name: path, text: await readFile(path, 'utf8') };
}

function reason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'does not exist';
  if (code === 'EACCES') return 'cannot be read (permission denied)';
  return error instanceof Error ? error.message : String(error);
}

export async function readInputs(
  paths: readonly string[],
  stdin: NodeJS.ReadableStream,
): Promise<{ inputs: InputText[]; problems: InputProblem[] }> {
  const inputs: InputText[] = [];
  const problems: InputProblem[] = [];
  for (const path of paths) {
    try {
      if (path === '-') {
        inputs.push({ name: STDIN_NAME, text: await readStream(stdin) });
      } else if ((await stat(path)).isDirectory()) {
        const files = await filesUnder(path);
        if (files.length === 0)
          problems.push({ source: path, line: null, message: 'has no *.yaml, *.yml or *.json files' });
        for (const file of files) inputs.push(await readOne(file));
      } else {
        inputs.push(await readOne(path));
      }
    } catch (error) {
      problems.push({ source: path === '-' ? STDIN_NAME : path, line: null, message: reason(error) });
    }
  }
  return { inputs, problems };
}
