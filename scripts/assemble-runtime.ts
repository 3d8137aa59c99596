// The files of a component's image, made without Docker: replays Dockerfile.<component> into a
// directory. Each stage gets a directory standing for its root filesystem (empty: the base image
// itself is not reproduced); COPY from the build context honours .dockerignore, COPY --from copies
// between stage directories keeping symlinks; RUN runs with sh in the stage's WORKDIR, in build
// stages only. RUN in the final stage may only come before its first COPY (it can then touch only
// the base image) and is skipped. Anything else the replay cannot do faithfully is an error.
//
//   node scripts/assemble-runtime.ts webhook|reconciler [out-dir]
//     prints the out-dir; the image's files are under it as in the image (e.g. <out>/app/...)
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const COMPONENTS = ['webhook', 'reconciler'] as const;
export type Component = (typeof COMPONENTS)[number];

export interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}

export interface Stage {
  readonly name: string | undefined;
  readonly base: string;
  readonly instructions: readonly Instruction[];
}

/** Instructions in order, continuation lines joined, comments dropped, build ARGs substituted in FROM. */
export function parseDockerfile(text: string): Stage[] {
  const instructions: Instruction[] = [];
  let pending = '';
  let startLine = 0;
  for (const [index, raw] of text.split('\n').entries()) {
    if (pending === '' && (raw.trim() === '' || raw.trimStart().startsWith('#'))) continue;
    if (pending === '') startLine = index + 1;
    if (pending !== '' && raw.trimStart().startsWith('#')) continue;
    const continued = raw.trimEnd().endsWith('\\');
    pending += `${continued ? raw.trimEnd().slice(0, -1) : raw} `;
    if (continued) continue;
    const match = /^\s*([A-Za-z]+)\s+([\s\S]*?)\s*$/.exec(pending);
    if (!match?.[1] || match[2] === undefined) throw new Error(`line ${startLine}: cannot read "${pending.trim()}"`);
    instructions.push({ keyword: match[1].toUpperCase(), args: match[2].replace(/\s+/g, ' '), line: startLine });
    pending = '';
  }
  const args = new Map<string, string>();
  const stages: { name: string | undefined; base: string; instructions: Instruction[] }[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'ARG' && stages.length === 0) {
      const [name, value = ''] = instruction.args.split('=', 2);
      args.set(name ?? '', value);
    } else if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = instruction.args.split(' ');
      const base = image.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, arg: string) => args.get(arg) ?? '');
      stages.push({ name: as?.toUpperCase() === 'AS' ? name : undefined, base, instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`line ${instruction.line}: ${instruction.keyword} before FROM`);
      stage.instructions.push(instruction);
    }
  }
  return stages;
}

interface IgnorePattern {
  readonly negate: boolean;
  readonly regex: RegExp;
  /** The pattern's literal start, to know whether a negation can re-include below a directory. */
  readonly prefix: string;
}

function globToRegex(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] ?? '';
    if (pattern.startsWith('**/', i)) {
      source += '(?:.*/)?';
      i += 2;
    } else if (pattern.startsWith('**', i)) {
      source += '.*';
      i += 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/**
 * .dockerignore rules (Docker's semantics: the last matching rule wins; a rule matching a parent
 * directory matches).
 */
export function parseDockerignore(text: string): IgnorePattern[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negate = line.startsWith('!');
      const pattern = posix.normalize((negate ? line.slice(1) : line).trim()).replace(/^\/+|\/+$/g, '');
      return { negate, regex: globToRegex(pattern), prefix: pattern.split(/[*?[]/)[0] ?? '' };
    });
}

export function isIgnored(path: string, patterns: readonly IgnorePattern[]): boolean {
  const parts = path.split('/');
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const pattern of patterns) {
    if (candidates.some((candidate) => pattern.regex.test(candidate))) ignored = !pattern.negate;
  }
  return ignored;
}

function mayReinclude(dir: string, patterns: readonly IgnorePattern[]): boolean {
  return patterns.some((pattern) => pattern.negate && (pattern.prefix.startsWith(`${dir}/`) || pattern.prefix === ''));
}

export interface AssembledRuntime {
  /** The final stage's root filesystem (app files only). */
  readonly root: string;
  /** root + WORKDIR: where the entrypoint runs. */
  readonly workdir: string;
  readonly base: string;
  readonly entrypoint: readonly string[];
  readonly user: string | undefined;
  readonly env: Readonly<Record<string, string>>;
}

interface StageState {
  readonly root: string;
  workdir: string;
  readonly env: Record<string, string>;
  entrypoint: string[];
  user: string | undefined;
  copied: boolean;
}

function inStage(state: StageState, path: string): string {
  return posix.isAbsolute(path) ? join(state.root, path) : join(state.root, state.workdir, path);
}

function envWithout(prefixes: RegExp, extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !prefixes.test(key))), ...extra };
}

/** Replays Dockerfile.<component> into outDir (created; must be empty or absent). */
export async function assembleRuntime(component: Component, outDir: string): Promise<AssembledRuntime> {
  const stages = parseDockerfile(await readFile(join(repoRoot, `Dockerfile.${component}`), 'utf8'));
  const ignore = parseDockerignore(await readFile(join(repoRoot, '.dockerignore'), 'utf8'));
  const scratch = await mkdtemp(join(tmpdir(), `lbg-assemble-${component}-`));
  const states: StageState[] = [];
  try {
    for (const [index, stage] of stages.entries()) {
      const final = index === stages.length - 1;
      const state: StageState = {
        root: final ? outDir : join(scratch, `stage-${index}`),
        workdir: '/',
        env: {},
        entrypoint: [],
        user: undefined,
        copied: false,
      };
      await mkdir(state.root, { recursive: true });
      states.push(state);
      for (const instruction of stage.instructions) await replay(instruction, state, final);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const last = states.at(-1);
  if (!last || last.entrypoint.length === 0) throw new Error(`Dockerfile.${component} has no ENTRYPOINT`);
  return {
    root: outDir,
    workdir: join(outDir, last.workdir),
    base: stages.at(-1)?.base ?? '',
    entrypoint: last.entrypoint,
    user: last.user,
    env: last.env,
  };

  async function replay(instruction: Instruction, state: StageState, final: boolean): Promise<void> {
    const where = `Dockerfile.${component}:${instruction.line}`;
    switch (instruction.keyword) {
      case 'WORKDIR':
        state.workdir = posix.resolve(state.workdir, instruction.args);
        await mkdir(join(state.root, state.workdir), { recursive: true });
        return;
      case 'ENV': {
        for (const pair of instruction.args.split(' ')) {
          const [key, value] = pair.split('=', 2);
          if (!key || value === undefined) throw new Error(`${where}: write ENV as KEY=value`);
          state.env[key] = value;
        }
        return;
      }
      case 'USER':
        state.user = instruction.args;
        return;
      case 'EXPOSE':
        return;
      case 'ENTRYPOINT':
        state.entrypoint = JSON.parse(instruction.args) as string[];
        return;
      case 'RUN':
        if (final) {
          if (state.copied) throw new Error(`${where}: a RUN after COPY in the final stage cannot be replayed`);
          return; // touches only the base image
        }
        if (/(^|[\s=])\//.test(instruction.args))
          throw new Error(`${where}: RUN with an absolute path is not replayed on this machine`);
        await run('sh', ['-c', instruction.args], {
          cwd: join(state.root, state.workdir),
          // npm test sets npm_config_* variables that would change what npm ci installs.
          env: envWithout(/^npm_/i, state.env),
          maxBuffer: 16 * 1024 * 1024,
        });
        return;
      case 'COPY':
        state.copied = true;
        await copy(instruction, state, where);
        return;
      default:
        throw new Error(`${where}: ${instruction.keyword} is not replayed`);
    }
  }

  async function copy(instruction: Instruction, state: StageState, where: string): Promise<void> {
    const words = instruction.args.split(' ');
    const flags = words.filter((word) => word.startsWith('--'));
    const paths = words.filter((word) => !word.startsWith('--'));
    const from = flags.find((flag) => flag.startsWith('--from='))?.slice('--from='.length);
    if (flags.some((flag) => !flag.startsWith('--from='))) throw new Error(`${where}: only --from= is replayed`);
    const dest = paths.pop();
    if (!dest || paths.length === 0) throw new Error(`${where}: COPY needs a source and a destination`);
    if (paths.some((path) => /[*?[]/.test(path))) throw new Error(`${where}: wildcards are not replayed`);
    const intoDir = dest.endsWith('/') || paths.length > 1;
    let sourceState: StageState | undefined;
    if (from !== undefined) {
      const sourceIndex = stages.findIndex((stage, i) => stage.name === from || String(i) === from);
      sourceState = states[sourceIndex];
      if (!sourceState) throw new Error(`${where}: no stage ${from} before this one`);
    }
    for (const path of paths) {
      const source = sourceState ? inStage(sourceState, path) : join(repoRoot, path);
      if (
        !sourceState &&
        (relative(repoRoot, source).startsWith('..') || isIgnored(relative(repoRoot, source), ignore))
      ) {
        throw new Error(`${where}: ${path} is outside the build context or excluded by .dockerignore`);
      }
      const info = await stat(source).catch(() => undefined);
      if (!info) throw new Error(`${where}: ${path} does not exist`);
      const target =
        info.isDirectory() || !intoDir ? inStage(state, dest) : join(inStage(state, dest), posix.basename(path));
      if (sourceState) {
        // Between stages: everything, symlinks as they are (cp -a is much faster than fs.cp here).
        await mkdir(info.isDirectory() ? target : dirname(target), { recursive: true });
        await run('cp', ['-a', info.isDirectory() ? `${source}/.` : source, target]);
        continue;
      }
      await cp(source, target, {
        recursive: true,
        filter: async (file) => {
          const rel = relative(repoRoot, file);
          if ((await stat(file)).isDirectory()) return !isIgnored(rel, ignore) || mayReinclude(rel, ignore);
          return !isIgnored(rel, ignore);
        },
      });
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const component = process.argv[2] as Component;
  if (!COMPONENTS.includes(component)) {
    process.stderr.write('usage: node scripts/assemble-runtime.ts webhook|reconciler [out-dir]\n');
    process.exit(2);
  }
  const outDir = resolve(process.argv[3] ?? (await mkdtemp(join(tmpdir(), `lbg-runtime-${component}-`))));
  const runtime = await assembleRuntime(component, outDir);
  process.stdout.write(`${runtime.workdir}\n`);
}
