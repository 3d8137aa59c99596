// `node webhook/src/main.ts` as the Deployment runs it: configuration from a kubelet-style
// ConfigMap volume (reloaded on the symlink swap; a bad update keeps the last good one), refused
// at start when invalid, and a clean exit 0 on SIGTERM.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { useTestCluster } from '../harness/test-cluster.ts';
import { freePort } from '../harness/free-port.ts';
import { repoRoot } from '../harness/paths.ts';
import { waitFor } from '../harness/wait-for.ts';
import {
  P,
  createStorageClasses,
  deleteConfigurations,
  postRaw,
  pvcYaml,
  registerConfigurations,
  registrationFor,
  runId,
  waitUntilWebhooksCalled,
} from './webhook-support.ts';

const cluster = await useTestCluster();
const kc = cluster.kubeConfig();
const registration = registrationFor(runId());
const classes = await createStorageClasses(kc, registration.id);
const configDir = await mkdtemp(join(tmpdir(), 'lbg-webhook-config-'));
const children: ChildProcess[] = [];

after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await deleteConfigurations(kc, registration);
  await classes.remove();
  await rm(configDir, { recursive: true, force: true });
});

let version = 0;
/** Writes the ConfigMap volume as the kubelet does: a new timestamped dir, then an atomic swap of ..data. */
async function writeConfigMapVolume(text: string): Promise<string> {
  const dataDir = `..${++version}_data`;
  await mkdir(join(configDir, dataDir));
  await writeFile(join(configDir, dataDir, 'config.yaml'), text);
  await symlink(dataDir, join(configDir, '..data_tmp'));
  await rename(join(configDir, '..data_tmp'), join(configDir, '..data'));
  if (version === 1) await symlink(join('..data', 'config.yaml'), join(configDir, 'config.yaml'));
  return join(configDir, 'config.yaml');
}

interface Running {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

function startProcess(env: Record<string, string>): Running {
  const child = spawn(process.execPath, ['webhook/src/main.ts'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      KUBECONFIG: cluster.info.kubeconfigPath,
      BIND_ADDRESS: '127.0.0.1',
      SHUTDOWN_DELAY_SECONDS: '0',
      LOG_LEVEL: 'debug',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exit };
}

/** The JSON log lines (pino) of a process output. */
function logLines(output: string): { level: string; msg: string; [key: string]: unknown }[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: string; msg: string });
}

test('an invalid configuration at start: exit 1 with a message naming the key', async () => {
  const path = join(configDir, 'invalid-at-start.yaml');
  await writeFile(path, 'defaults:\n  interval: 5\nmaxRetension: 10\n');
  const run = startProcess({ CONFIG_FILE: path, WEBHOOK_PORT: String(await freePort()), METRICS_PORT: '0' });
  assert.equal(await run.exit, 1);
  const fatal = logLines(run.output()).find((line) => line.level === 'fatal');
  assert.match(fatal?.msg ?? '', /^invalid configuration in .*invalid-at-start.yaml:\n/);
  assert.match(fatal?.msg ?? '', /defaults\.interval: "5" is not a divisor of 24/);
  assert.match(fatal?.msg ?? '', /maxRetension: unknown key: did you mean maxRetention\?/);
});

test('an invalid environment variable: exit 1 naming it', async () => {
  const run = startProcess({ WEBHOOK_PORT: 'https' });
  assert.equal(await run.exit, 1);
  assert.match(
    logLines(run.output()).find((line) => line.level === 'fatal')?.msg ?? '',
    /^invalid environment: WEBHOOK_PORT="https" is not a whole number from 0 to 65535$/,
  );
});

let running: Running;
let namespace = '';
let ca = '';
let port = 0;

before(async () => {
  const certificateNamespace = await cluster.createNamespace('lbg-wh-process-certs');
  port = await freePort();
  await registerConfigurations(kc, registration, port, 'Fail');
  running = startProcess({
    CONFIG_FILE: await writeConfigMapVolume('maxRetention: 100\n'),
    CONFIG_POLL_SECONDS: '1',
    WEBHOOK_PORT: String(port),
    METRICS_PORT: '0',
    POD_NAMESPACE: certificateNamespace,
    TLS_SECRET_NAME: 'webhook-tls',
    SERVICE_NAME: 'webhook',
    WEBHOOK_CONFIGURATION_NAME: registration.configurationName,
    CERT_IP_ADDRESSES: '127.0.0.1',
  });
  const core = kc.makeApiClient(CoreV1Api);
  ca = await waitFor('the certificate Secret', async () => {
    const secret = await core.readNamespacedSecret({ namespace: certificateNamespace, name: 'webhook-tls' });
    return Buffer.from(secret.data?.['ca.crt'] ?? '', 'base64').toString();
  });
  await waitFor(
    'the webhook process ready',
    async () => ((await postRaw(port, '/readyz', ca, '', {}, 'GET')).status === 200 ? true : undefined),
    30_000,
    200,
  );
  namespace = await cluster.createNamespace('lbg-wh-process', registration.namespaceLabels);
  await waitUntilWebhooksCalled(kc, namespace, classes.longhorn);
});

const retain60 = () =>
  cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], {
    input: pvcYaml(namespace, 'keeps-60', { [`${P}/enabled`]: 'true', [`${P}/retain`]: '60' }, classes.longhorn),
  });

test('a ConfigMap update (symlink swap) is applied without a restart; a bad one keeps the last good configuration', async () => {
  assert.equal((await retain60()).code, 0);
  await writeConfigMapVolume('maxRetention: 50\n');
  const refused = await waitFor(
    'the new maxRetention in force',
    async () => {
      const result = await retain60();
      return result.code === 1 ? result.stderr : undefined;
    },
    15_000,
    200,
  );
  assert.match(
    refused,
    /retain="60" is above the maximum of 50 \(Longhorn's recurring-job-max-retention\): use a whole number from 1 to 50/,
  );

  await writeConfigMapVolume('maxRetention: lots\n');
  await waitFor(
    'the bad update reported',
    async () =>
      logLines(running.output()).find(
        (line) =>
          line.level === 'error' &&
          line.msg === 'configuration not reloaded; the last good configuration stays in force',
      ),
    15_000,
    200,
  );
  const logged = logLines(running.output()).find(
    (line) => line.msg === 'configuration not reloaded; the last good configuration stays in force',
  );
  assert.match(String(logged?.err), /maxRetention: "lots" is not a whole number/);
  const stillRefused = await retain60();
  assert.equal(stillRefused.code, 1);
  assert.match(stillRefused.stderr, /use a whole number from 1 to 50/);
});

test('logs are JSON lines without request bodies', () => {
  const lines = logLines(running.output());
  const admissions = lines.filter((line) => line.msg === 'admission');
  assert.ok(admissions.length > 0);
  for (const line of admissions) {
    assert.deepEqual(
      Object.keys(line).filter((key) => ['body', 'object', 'request', 'labels'].includes(key)),
      [],
    );
    assert.equal(line.component, 'webhook');
  }
});

test('SIGTERM: finishes the request in flight, stops accepting, exits 0', async () => {
  // A review whose body is still arriving when SIGTERM comes.
  const body = JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'in-flight',
      kind: { group: '', version: 'v1', kind: 'PersistentVolumeClaim' },
      operation: 'CREATE',
      namespace,
      name: 'x',
      object: {
        metadata: { name: 'x', namespace, labels: { [`${P}/enabled`]: 'yes' } },
        spec: { storageClassName: classes.longhorn },
      },
    },
  });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/validate',
        method: 'POST',
        ca,
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.write(body.slice(0, 40));
    setTimeout(() => {
      running.child.kill('SIGTERM');
      setTimeout(() => req.end(body.slice(40)), 300);
    }, 200);
  });
  const finished = await answer;
  assert.equal(finished.status, 200);
  assert.equal(
    (JSON.parse(finished.body) as { response: { uid: string; allowed: boolean } }).response.uid,
    'in-flight',
  );
  assert.equal(await running.exit, 0);
  assert.ok(logLines(running.output()).some((line) => line.msg === 'webhook stopped'));
  await assert.rejects(postRaw(port, '/healthz', ca, '', {}, 'GET'), /ECONNREFUSED/);
});
