// The images, without Docker: hadolint passes both Dockerfiles, and each component's image files
// (replayed from its Dockerfile by scripts/assemble-runtime.ts: same npm ci, same copies) hold its
// workspaces, their production dependencies and nothing else; started from there with the
// Deployment's environment, each becomes ready against the test cluster, writes nothing into its
// own files (the root filesystem is read-only in the Pod) and exits 0 on SIGTERM.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { lstat, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { CoreV1Api, StorageV1Api } from '@kubernetes/client-node';
import { defaultConfig } from '@longhorn-backup-guard/shared/config/guard-config';
import { serializeConfig } from '@longhorn-backup-guard/shared/config/serialize-config';
import {
  assembleRuntime,
  COMPONENTS,
  isIgnored,
  parseDockerignore,
  type AssembledRuntime,
  type Component,
} from '../../scripts/assemble-runtime.ts';
import { freePort } from '../harness/free-port.ts';
import { repoRoot } from '../harness/paths.ts';
import { useTestCluster } from '../harness/test-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';
import { findHadolint, findPromtool, haveTool } from '../tools/tools.ts';

const run = promisify(execFile);
const cluster = await useTestCluster();
const WORKSPACE_SCOPE = '@longhorn-backup-guard/';

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

/** The component's workspace and every workspace it depends on, by folder name. */
async function workspaceClosure(component: Component): Promise<string[]> {
  const folders = new Set<string>();
  const visit = async (folder: string): Promise<void> => {
    if (folders.has(folder)) return;
    folders.add(folder);
    const pkg = await readJson<PackageJson>(join(repoRoot, folder, 'package.json'));
    for (const name of Object.keys(pkg.dependencies ?? {})) {
      if (name.startsWith(WORKSPACE_SCOPE)) await visit(name.slice(WORKSPACE_SCOPE.length));
    }
  };
  await visit(component);
  return [...folders].sort();
}

/** Every file and symlink under `dir` (not following symlinks), relative, with size and mtime. */
async function listTree(dir: string): Promise<Map<string, { size: number; mtimeMs: number; link: boolean }>> {
  const entries = new Map<string, { size: number; mtimeMs: number; link: boolean }>();
  for (const path of await readdir(dir, { recursive: true })) {
    const info = await lstat(join(dir, path));
    if (!info.isDirectory()) entries.set(path, { size: info.size, mtimeMs: info.mtimeMs, link: info.isSymbolicLink() });
  }
  return entries;
}

/**
 * The image's files a process must not write (its root filesystem is read-only in the Pod), Node's
 * compile cache left out: a module the build's start did not load (one a running component requires
 * lazily) is compiled at run time and its cache entry written where it can be (here; in the Pod
 * the write fails silently).
 */
async function imageFiles(root: string): Promise<Map<string, { size: number; mtimeMs: number; link: boolean }>> {
  const files = await listTree(root);
  for (const path of files.keys()) if (path.startsWith('app/.compile-cache/')) files.delete(path);
  return files;
}

const assembled = new Map<Component, AssembledRuntime>();
const outDirs: string[] = [];
before(async () => {
  await Promise.all(
    COMPONENTS.map(async (component) => {
      const out = await mkdtemp(join(tmpdir(), `lbg-runtime-${component}-`));
      outDirs.push(out);
      assembled.set(component, await assembleRuntime(component, out));
    }),
  );
});
after(async () => {
  await Promise.all(outDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

function runtimeOf(component: Component): AssembledRuntime {
  const runtime = assembled.get(component);
  assert.ok(runtime, `${component} was not assembled`);
  return runtime;
}

test('.dockerignore lets in only the lock file, package.json files and workspace sources', async () => {
  const patterns = parseDockerignore(await readFile(join(repoRoot, '.dockerignore'), 'utf8'));
  const sent = [
    'package.json',
    'package-lock.json',
    'shared/package.json',
    'shared/src/config/parse-config.ts',
    'certs/src/a.ts',
    'webhook/src/main.ts',
    'reconciler/src/main.ts',
  ];
  const kept = [
    'node_modules/yaml/index.js',
    'tests/run.ts',
    '.git/config',
    'README.md',
    'manifests/kustomization.yaml',
    'bench/x.ts',
    'webhook/tsconfig.json',
    'shared/src/x.test.ts',
    'webhook/src/node_modules/x/index.js',
    '.tmp/brief.md',
    'Dockerfile.webhook',
    'scripts/assemble-runtime.ts',
  ];
  for (const path of sent) assert.equal(isIgnored(path, patterns), false, path);
  for (const path of kept) assert.equal(isIgnored(path, patterns), true, path);
});

test('hadolint finds nothing in either Dockerfile', async (t) => {
  const hadolint = await findHadolint();
  if (!haveTool(t, 'hadolint', hadolint)) return;
  for (const component of COMPONENTS) {
    const result: { code: number; output: string } = await run(hadolint, [
      join(repoRoot, `Dockerfile.${component}`),
    ]).then(
      ({ stdout }) => ({ code: 0, output: stdout }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({
        code: error.code ?? 1,
        output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
      }),
    );
    assert.equal(result.code, 0, `Dockerfile.${component}:\n${result.output}`);
  }
});

for (const component of COMPONENTS) {
  test(`the ${component} image holds its workspaces, their production dependencies and nothing else`, async (t) => {
    const runtime = runtimeOf(component);
    const app = runtime.workdir;
    assert.match(runtime.base, /^node:24\.\d+\.\d+-bookworm-slim$/, 'a Node 24 base pinned by exact version');
    assert.equal(runtime.user, '65532:65532');
    // The V8 flags that NODE_OPTIONS refuses (each Dockerfile says why).
    const nodeFlags =
      component === 'reconciler'
        ? ['--heap-growing-percent=100', '--no-parallel-scavenge']
        : ['--no-parallel-scavenge'];
    assert.deepEqual(runtime.entrypoint, ['node', ...nodeFlags, `${component}/src/main.ts`]);
    assert.equal(runtime.env.NODE_ENV, 'production');
    assert.equal(relative(runtime.root, app), 'app');

    const workspaces = await workspaceClosure(component);
    assert.deepEqual((await readdir(app)).sort(), ['.compile-cache', 'node_modules', ...workspaces].sort());
    // Node's compile cache, made in the build stage from every module main.ts imports.
    assert.equal(runtime.env.NODE_COMPILE_CACHE, '.compile-cache');
    assert.equal(runtime.env.NODE_COMPILE_CACHE_PORTABLE, '1');
    const cached = [...(await listTree(join(app, '.compile-cache'))).keys()];
    assert.ok(cached.length > 100, `${cached.length} modules in the compile cache`);
    for (const workspace of workspaces) {
      assert.deepEqual((await readdir(join(app, workspace))).sort(), ['package.json', 'src']);
      // Exactly the repository's sources (no test files live there; none may slip in).
      const shipped = [...(await listTree(join(app, workspace, 'src'))).keys()].sort();
      const source = [...(await listTree(join(repoRoot, workspace, 'src'))).keys()]
        .filter((file) => !file.endsWith('.test.ts'))
        .sort();
      assert.deepEqual(shipped, source, `${workspace}/src`);
      // Node strips types only outside node_modules: the workspace links must lead out of it.
      const link = join(app, 'node_modules', WORKSPACE_SCOPE, workspace);
      assert.ok((await lstat(link)).isSymbolicLink(), `${link} is a symlink`);
      assert.equal(await realpath(link), await realpath(join(app, workspace)));
    }
    assert.deepEqual((await readdir(join(app, 'node_modules', WORKSPACE_SCOPE))).sort(), workspaces);

    const files = await listTree(app);
    const ours = [...files.keys()].filter((file) => !file.startsWith('node_modules/'));
    assert.deepEqual(
      ours.filter((file) => /\.test\.ts$|(^|\/)(tests|bench)\//.test(file)),
      [],
      'no tests or benchmarks',
    );
    const declarations = [...files.keys()].filter((file) => /\.d\.[cm]?ts$|\.map$/.test(file));
    assert.deepEqual(declarations, [], 'type declarations and source maps are pruned');
    // Packages only development needs, as the lock file marks them, are absent.
    const lock = await readJson<{ packages: Record<string, { dev?: boolean }> }>(join(repoRoot, 'package-lock.json'));
    const devOnly = Object.entries(lock.packages)
      .filter(([path, entry]) => entry.dev === true && path.split('node_modules/').length === 2)
      .map(([path]) => path);
    assert.ok(
      devOnly.includes('node_modules/typescript') && devOnly.includes('node_modules/node'),
      'the lock marks dev-only packages',
    );
    const present = (
      await Promise.all(
        devOnly.map(async (path) =>
          (await lstat(join(app, path)).then(
            () => true,
            () => false,
          ))
            ? path
            : null,
        ),
      )
    ).filter(Boolean);
    assert.deepEqual(present, [], 'dev-only packages in the image');

    const bytes = [...files.values()].reduce((sum, file) => sum + file.size, 0);
    t.diagnostic(
      `${component} image files: ${files.size} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB (on top of the base image)`,
    );
  });
}

/** The container's environment as the Deployment sets it (field references resolved). */
async function deploymentEnv(
  component: Component,
  fieldValues: Record<string, string>,
): Promise<Record<string, string>> {
  const docs = parseAllDocuments(
    await readFile(join(repoRoot, 'manifests', 'core', `${component}-deployment.yaml`), 'utf8'),
  ).map(
    (d) =>
      d.toJS() as {
        kind: string;
        spec: {
          template: {
            spec: {
              containers: {
                env: { name: string; value?: string; valueFrom?: { fieldRef: { fieldPath: string } } }[];
              }[];
            };
          };
        };
      },
  );
  const doc = docs.find((d) => d.kind === 'Deployment');
  assert.ok(doc, `no Deployment in ${component}-deployment.yaml`);
  const env: Record<string, string> = {};
  for (const variable of doc.spec.template.spec.containers[0]?.env ?? []) {
    const value = variable.value ?? fieldValues[variable.valueFrom?.fieldRef.fieldPath ?? ''];
    assert.ok(value !== undefined, `no value for ${variable.name}`);
    env[variable.name] = value;
  }
  return env;
}

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

const running: ChildProcess[] = [];
/** What the reconciler test scraped, for the alert expression test after it. */
let reconcilerMetrics: string | undefined;
let reconcilerNamespace: string | undefined;
after(() => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Starts the image's entrypoint in its workdir with only the given environment (as a container would). */
function startEntrypoint(runtime: AssembledRuntime, env: Record<string, string>): Started {
  assert.equal(runtime.entrypoint[0], 'node');
  const child = spawn(process.execPath, runtime.entrypoint.slice(1), {
    cwd: runtime.workdir,
    env: { ...runtime.env, HOME: '/nonexistent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output.slice(-4000), exited };
}

async function stopAndExpectExit0(started: Started): Promise<void> {
  started.child.kill('SIGTERM');
  const code = await Promise.race([
    started.exited,
    new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 30_000).unref()),
  ]);
  assert.equal(code, 0, `exit after SIGTERM; output:\n${started.output()}`);
}

async function httpGet(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.text() };
}

/** A configuration that keeps the component to its own namespace of the shared test cluster. */
function isolatedConfig(namespace: string): string {
  return serializeConfig({ ...defaultConfig, watchNamespaces: [namespace], longhornNamespace: namespace });
}

test('the reconciler starts from its image files, leads, becomes ready, and exits 0 on SIGTERM', async () => {
  const runtime = runtimeOf('reconciler');
  const namespace = await cluster.createNamespace('runtime-reconciler');
  const env = await deploymentEnv('reconciler', { 'metadata.namespace': namespace, 'metadata.name': 'reconciler-0' });
  const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({
    namespace,
    body: { metadata: { name: env.CONFIG_MAP_NAME ?? '' }, data: { 'config.yaml': isolatedConfig(namespace) } },
  });
  const before = await imageFiles(runtime.root);
  const port = await freePort();
  const started = startEntrypoint(runtime, {
    ...env,
    METRICS_PORT: String(port),
    KUBECONFIG: cluster.info.kubeconfigPath,
  });
  try {
    await waitFor(
      'reconciler /readyz',
      async () => {
        if (started.child.exitCode !== null) throw new Error(`exited ${started.child.exitCode}:\n${started.output()}`);
        return (await httpGet(`http://127.0.0.1:${port}/readyz`).catch(() => ({ status: 0 }))).status === 200
          ? true
          : undefined;
      },
      60_000,
      200,
    );
    const metrics = await waitFor(
      'leadership and a valid configuration in /metrics',
      async () => {
        const { body } = await httpGet(`http://127.0.0.1:${port}/metrics`);
        return body.includes(`leader_election_master_status{name="${env.LEASE_NAME}"} 1`) &&
          /^backup_config_valid 1$/m.test(body)
          ? body
          : undefined;
      },
      60_000,
      250,
    );
    assert.match(metrics, /controller_runtime_reconcile_total/);
    // An unlabelled Longhorn-backed PVC: the series the alert rules read appear.
    const storageClass = `runtime-longhorn-${namespace}`;
    const storage = cluster.kubeConfig().makeApiClient(StorageV1Api);
    await storage.createStorageClass({ body: { metadata: { name: storageClass }, provisioner: 'driver.longhorn.io' } });
    try {
      await core.createNamespacedPersistentVolumeClaim({
        namespace,
        body: {
          metadata: { name: 'data' },
          spec: {
            storageClassName: storageClass,
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: '1Gi' } },
          },
        },
      });
      const violation = `backup_pvc_violation{condition="missing_enabled_label",namespace="${namespace}",pvc="data"} 1`;
      reconcilerMetrics = await waitFor(
        'the violation in /metrics',
        async () => {
          const { body } = await httpGet(`http://127.0.0.1:${port}/metrics`);
          return body.includes(violation) ? body : undefined;
        },
        60_000,
        250,
      );
      reconcilerNamespace = namespace;
    } finally {
      await storage.deleteStorageClass({ name: storageClass });
    }
  } finally {
    await stopAndExpectExit0(started);
  }
  assert.deepEqual(await imageFiles(runtime.root), before, 'the process wrote nothing into its image files');
});

test('the alert expressions match the series the real reconciler exports', async (t) => {
  const promtool = await findPromtool();
  if (!haveTool(t, 'promtool', promtool)) return;
  assert.ok(reconcilerMetrics && reconcilerNamespace, 'the reconciler test collected no metrics');
  // As Prometheus stores them with the shipped ServiceMonitor (honorLabels: a series' own job stays).
  const target = { job: 'longhorn-backup-guard-reconciler', pod: 'reconciler-0' };
  const series = reconcilerMetrics
    .split('\n')
    .filter((line) => /^(backup_|leader_election_master_status|controller_runtime_reconcile_errors_total)/.test(line))
    .map((line) => {
      const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
      assert.ok(match?.[1] && match[3], `cannot read ${line}`);
      const own = match[2] ? match[2].split(/,(?=[a-z_]+=")/) : [];
      const extra = Object.entries(target)
        .filter(([key]) => !own.some((label) => label.startsWith(`${key}=`)))
        .map(([key, value]) => `${key}="${value}"`);
      return { series: `${match[1]}{${[...own, ...extra].join(',')}}`, values: `${match[3]}x15` };
    });
  series.push({ series: `up{job="${target.job}",pod="${target.pod}"}`, values: '1x15' });
  const rules = (
    parse(await readFile(join(repoRoot, 'manifests', 'monitoring', 'alert-rules.yaml'), 'utf8')) as {
      groups: { rules: { alert: string; expr: string }[] }[];
    }
  ).groups.flatMap((group) => group.rules);
  const exprOf = (alert: string) => rules.find((rule) => rule.alert === alert)?.expr ?? assert.fail(`no ${alert}`);
  const testFile = {
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: series,
        promql_expr_test: [
          {
            expr: exprOf('BackupPVCUnlabelled'),
            eval_time: '10m',
            exp_samples: [{ labels: `{namespace="${reconcilerNamespace}", pvc="data"}`, value: 1 }],
          },
          ...[
            'BackupPVCInvalidLabels',
            'BackupPVCNameConflict',
            'BackupReconcilerNoLeader',
            'BackupReconcilerDown',
            'BackupConfigInvalid',
            'BackupReconcileErrors',
          ].map((alert) => ({ expr: exprOf(alert), eval_time: '10m', exp_samples: [] })),
        ],
      },
    ],
  };
  const dir = await mkdtemp(join(tmpdir(), 'lbg-real-metrics-'));
  try {
    await writeFile(join(dir, 'test.yaml'), stringify(testFile));
    const result: { code: number; output: string } = await run(promtool, [
      'test',
      'rules',
      join(dir, 'test.yaml'),
    ]).then(
      ({ stdout }) => ({ code: 0, output: stdout }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({
        code: error.code ?? 1,
        output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
      }),
    );
    assert.equal(result.code, 0, `${result.output}\n${stringify(testFile)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the webhook starts from its image files, serves HTTPS with the certificate it stored, and exits 0 on SIGTERM', async () => {
  const runtime = runtimeOf('webhook');
  const namespace = await cluster.createNamespace('runtime-webhook');
  const env = await deploymentEnv('webhook', { 'metadata.namespace': namespace });
  const scratch = await mkdtemp(join(tmpdir(), 'lbg-runtime-webhook-config-'));
  const configFile = join(scratch, 'config.yaml');
  await writeFile(configFile, isolatedConfig(namespace));
  const before = await imageFiles(runtime.root);
  const [port, metricsPort] = [await freePort(), await freePort()];
  const started = startEntrypoint(runtime, {
    ...env,
    KUBECONFIG: cluster.info.kubeconfigPath,
    CONFIG_FILE: configFile,
    WEBHOOK_PORT: String(port),
    METRICS_PORT: String(metricsPort),
    BIND_ADDRESS: '127.0.0.1',
    CERT_IP_ADDRESSES: '127.0.0.1',
    SHUTDOWN_DELAY_SECONDS: '0',
    // Cluster-wide objects of the shared test cluster are not this test's to patch.
    WEBHOOK_CONFIGURATION_NAME: '',
  });
  const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  try {
    const ca = await waitFor(
      'the certificate Secret',
      async () => {
        if (started.child.exitCode !== null) throw new Error(`exited ${started.child.exitCode}:\n${started.output()}`);
        const secret = await core.readNamespacedSecret({ namespace, name: env.TLS_SECRET_NAME ?? '' });
        const pem = secret.data?.['ca.crt'];
        return pem ? Buffer.from(pem, 'base64').toString('utf8') : undefined;
      },
      60_000,
      200,
    );
    await waitFor(
      'webhook /readyz over verified TLS',
      async () => {
        if (started.child.exitCode !== null) throw new Error(`exited ${started.child.exitCode}:\n${started.output()}`);
        return (await httpsStatus(`https://127.0.0.1:${port}/readyz`, ca)) === 200 ? true : undefined;
      },
      60_000,
      200,
    );
    const { body } = await httpGet(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.match(body, /# TYPE admission_requests_total counter/);
  } finally {
    await stopAndExpectExit0(started);
    await rm(scratch, { recursive: true, force: true });
  }
  assert.deepEqual(await imageFiles(runtime.root), before, 'the process wrote nothing into its image files');
});

function httpsStatus(url: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.once('timeout', () => {
      req.destroy(new Error('timeout'));
    });
    req.end();
  });
}
