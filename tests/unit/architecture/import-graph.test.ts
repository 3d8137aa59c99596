// The import graph of the product code: no file imports itself back through others, no folder
// imports a folder that imports it back, and no workspace depends on one that depends on it.
// Type-only imports count too: a circle of types is still a circle a reader has to untangle.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '../../..');
const PACKAGE_SCOPE = '@longhorn-backup-guard/';

interface Workspace {
  readonly name: string;
  /** Relative to the repository, e.g. `shared`. */
  readonly folder: string;
}

function workspaces(): Workspace[] {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces?: string[] };
  return (manifest.workspaces ?? []).flatMap((folder) => {
    try {
      const { name } = JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8')) as { name: string };
      return statSync(join(root, folder, 'src')).isDirectory() ? [{ name, folder }] : [];
    } catch {
      return [];
    }
  });
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return entry.endsWith('.ts') ? [path] : [];
  });
}

/** The product file an import names, or undefined for anything outside the workspaces' src/. */
function resolveImport(from: string, specifier: string, spaces: readonly Workspace[]): string | undefined {
  if (specifier.startsWith('.')) return resolve(dirname(from), specifier);
  if (!specifier.startsWith(PACKAGE_SCOPE)) return undefined;
  const space = spaces.find((candidate) => specifier.startsWith(`${candidate.name}/`));
  if (space === undefined) return undefined;
  return join(root, space.folder, 'src', `${specifier.slice(space.name.length + 1)}.ts`);
}

type Graph = Map<string, Set<string>>;

function addEdge(graph: Graph, from: string, to: string): void {
  if (!graph.has(from)) graph.set(from, new Set());
  if (!graph.has(to)) graph.set(to, new Set());
  graph.get(from)?.add(to);
}

/** Tarjan's strongly connected components with more than one node, or with a self-edge. */
function circles(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  function visit(node: string): void {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || graph.get(node)?.has(node)) found.push(component.sort());
  }
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

function importGraphs(): { files: Graph; folders: Graph; spaces: Graph; fileCount: number } {
  const spaces = workspaces();
  const files: Graph = new Map();
  const folders: Graph = new Map();
  const spaceGraph: Graph = new Map();
  let fileCount = 0;
  for (const space of spaces) {
    for (const file of sourceFiles(join(root, space.folder, 'src'))) {
      fileCount++;
      const from = relative(root, file);
      addEdge(files, from, from);
      files.get(from)?.delete(from);
      const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
      for (const { fileName } of importedFiles) {
        const target = resolveImport(file, fileName, spaces);
        if (target === undefined) continue;
        const to = relative(root, target);
        addEdge(files, from, to);
        if (dirname(from) !== dirname(to)) addEdge(folders, dirname(from), dirname(to));
        const toSpace = spaces.find((candidate) => to.startsWith(`${candidate.folder}/`));
        if (toSpace !== undefined && toSpace !== space) addEdge(spaceGraph, space.folder, toSpace.folder);
      }
    }
  }
  return { files, folders, spaces: spaceGraph, fileCount };
}

const graphs = importGraphs();

test('the product code is found (the check is not vacuous)', () => {
  assert.ok(graphs.fileCount > 100, `only ${graphs.fileCount} files found`);
  assert.ok(graphs.folders.size > 20, `only ${graphs.folders.size} folders found`);
});

test('no file imports itself back through other files', () => {
  assert.deepEqual(circles(graphs.files), [], 'import circles between files (each list is one circle)');
});

test('no folder imports a folder that imports it back', () => {
  assert.deepEqual(circles(graphs.folders), [], 'folders that import each other (each list is one circle)');
});

test('no workspace depends on a workspace that depends on it', () => {
  assert.deepEqual(circles(graphs.spaces), [], 'workspaces that import each other');
});
