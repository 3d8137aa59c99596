// The webhook and the reconciler run without @kubernetes/client-node (issue 13): importing it costs
// about 80 MiB of RSS and 0.5-1 s at start, for object types the components only need at compile
// time. Nor undici: their client speaks node:http2 (importing undici cost about 27 MiB of RSS and
// 240 ms at start). Every file their mains load (followed through the workspaces) may import their
// types only (`import type`, erased by Node); the CLI and the tests keep them. Checked twice: on the
// source, and by loading each component's module graph with a resolve hook that reports them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '../../..');
const FORBIDDEN = ['@kubernetes/client-node', 'undici'];
const SCOPE = '@longhorn-backup-guard/';
const MAINS = ['webhook/src/main.ts', 'reconciler/src/main.ts'];

/** The specifiers a file loads at run time: imports and re-exports that are not `type`-only, and import(). */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier))
      found.push(node.moduleSpecifier.text);
    else if (
      ts.isExportDeclaration(node) &&
      !node.isTypeOnly &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    )
      found.push(node.moduleSpecifier.text);
    else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteral(node.arguments[0])
    )
      found.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** A product file a specifier names (relative, or `@longhorn-backup-guard/<workspace>/<path>`). */
function productFile(from: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) return resolve(dirname(from), specifier);
  if (!specifier.startsWith(SCOPE)) return undefined;
  const [workspace = '', ...rest] = specifier.slice(SCOPE.length).split('/');
  return join(root, workspace, 'src', `${rest.join('/')}.ts`);
}

/** Every product file `main` loads at run time, with who loads a forbidden package. */
function walk(main: string): { files: number; offenders: string[] } {
  const seen = new Set<string>();
  const offenders: string[] = [];
  const queue = [join(root, main)];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of runtimeImports(file)) {
      if (FORBIDDEN.some((name) => specifier === name || specifier.startsWith(`${name}/`)))
        offenders.push(`${relative(root, file)}: ${specifier}`);
      const next = productFile(file, specifier);
      if (next !== undefined) queue.push(next);
    }
  }
  return { files: seen.size, offenders };
}

for (const main of MAINS) {
  test(`${main} loads no client-node or undici code, only their types (source)`, () => {
    const { files, offenders } = walk(main);
    assert.ok(files > 20, `only ${files} files reached from ${main}: the walk is broken`);
    assert.deepEqual(offenders, [], `these files import ${FORBIDDEN.join(' or ')} at run time; use \`import type\``);
  });
}

test('the components start-up modules load no client-node or undici code (a resolve hook watching a real import)', () => {
  const hook = `import { registerHooks } from 'node:module';
registerHooks({ resolve(specifier, context, next) {
  const resolved = next(specifier, context);
  for (const name of ['/@kubernetes/client-node/', '/undici/'])
    if (resolved.url.includes(name)) process.stdout.write(name + ' from ' + context.parentURL + '\\n');
  return resolved;
} });`;
  const modules = [
    'webhook/src/start-webhook.ts',
    'reconciler/src/start-reconciler.ts',
    'shared/src/kube/load-kube-config.ts',
  ];
  const script = modules.map((module) => `await import(${JSON.stringify(join(root, module))});`).join('\n');
  const child = spawnSync(
    process.execPath,
    ['--import', `data:text/javascript,${encodeURIComponent(hook)}`, '--input-type=module', '-e', script],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout, '', 'client-node or undici was loaded');
});
