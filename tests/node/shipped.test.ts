// The product as users run it: the images built from the Dockerfiles, installed with the shipped
// manifests, running as pods on a real node (kubelet, containerd, runc), the apiserver calling the
// webhook through its Service. Runs in the default cell only (one node per machine at a time).
// The 1,000-PVC scenario comes last: the disruptions run against a fresh install.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AuthenticationV1Api, CoordinationV1Api, CoreV1Api, StorageV1Api, type V1Pod } from '@kubernetes/client-node';
import { DEFAULT_CELL } from '../harness/version-matrix.ts';
import {
  LONGHORN_NAMESPACE,
  PRODUCT_NAMESPACE,
  RECONCILER_DEPLOYMENT,
  WEBHOOK_DEPLOYMENT,
} from '../harness/node/install-shipped.ts';
import { RELEASE, installChart } from '../harness/node/install-chart.ts';
import { nodeUnsupported, startShippedCluster, type ShippedCluster } from '../harness/node/shipped-cluster.ts';
import { waitFor } from '../harness/wait-for.ts';
import { P, ReconcilerWorld, enabledLabels } from '../integration/reconciler-fixture.ts';
import { findHelm, haveTool } from '../tools/tools.ts';

const run = promisify(execFile);
const log = (message: string) => process.stderr.write(`[node suite] ${message}\n`);
const otherCell = process.env.K8S_VERSION !== undefined && process.env.K8S_VERSION !== DEFAULT_CELL.kubernetes;
const unsupported = otherCell ? undefined : await nodeUnsupported();
if (unsupported && process.env.CI === 'true') throw new Error(`the node suite cannot run: ${unsupported} (CI=true)`);
const skip = otherCell ? 'the node suite runs in the default cell only' : unsupported;
if (skip) log(`skipped: ${skip}`);
const helm = skip ? undefined : await findHelm();

let shipped: ShippedCluster;
let core: CoreV1Api;
let world: ReconcilerWorld;
const app = 'node-app';
const WEBHOOK_TLS_SECRET = 'longhorn-backup-guard-webhook-tls';
const validatingWebhook = 'pvc-labels.longhorn-backup-guard.vluwte.nl';
const refusal = (pvc: string) =>
  `admission webhook "${validatingWebhook}" denied the request: PVC "${pvc}": ${P}/retain="0" is less than 1`;

before(async () => {
  if (skip) return;
  shipped = await startShippedCluster(log);
  const kc = shipped.cluster.kubeConfig();
  core = kc.makeApiClient(CoreV1Api);
  await kc.makeApiClient(StorageV1Api).createStorageClass({
    body: { metadata: { name: 'longhorn' }, provisioner: 'driver.longhorn.io' },
  });
  await core.createNamespace({ body: { metadata: { name: app } } });
  world = ReconcilerWorld.adopt(shipped.cluster, {
    longhornNs: LONGHORN_NAMESPACE,
    guardNs: PRODUCT_NAMESPACE,
    apps: [app],
    storageClass: 'longhorn',
  });
});
after(async () => {
  if (skip) return;
  await shipped?.stop();
});

async function pods(deployment: string): Promise<V1Pod[]> {
  const component = deployment === WEBHOOK_DEPLOYMENT ? 'webhook' : 'reconciler';
  const list = await core.listNamespacedPod({
    namespace: PRODUCT_NAMESPACE,
    labelSelector: `app.kubernetes.io/component=${component}`,
  });
  return list.items.filter((pod) => !pod.metadata?.deletionTimestamp);
}

async function execIn(pod: V1Pod, command: string[]): Promise<string> {
  const result = await shipped.cluster.kubectl([
    'exec',
    '-n',
    PRODUCT_NAMESPACE,
    pod.metadata?.name ?? '',
    '--',
    ...command,
  ]);
  assert.equal(result.code, 0, `kubectl exec ${command.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** What the container sees of itself, read by the image's own node. */
const SELF_REPORT = `const fs = require('node:fs');
const tokenFile = '/var/run/secrets/kubernetes.io/serviceaccount/token';
let rootWrite = 'written';
try { fs.writeFileSync('/probe', 'x'); } catch (error) { rootWrite = error.code; }
const status = fs.readFileSync('/proc/self/status', 'utf8');
const memory = ['/sys/fs/cgroup/memory/memory.max_usage_in_bytes', '/sys/fs/cgroup/memory.peak']
  .filter((file) => fs.existsSync(file)).map((file) => Number(fs.readFileSync(file, 'utf8')))[0];
console.log(JSON.stringify({
  uid: process.getuid(), gid: process.getgid(), rootWrite,
  capEff: /CapEff:\\s*(\\w+)/.exec(status)[1], noNewPrivs: /NoNewPrivs:\\s*(\\d)/.exec(status)[1],
  kubeconfig: process.env.KUBECONFIG ?? null,
  kubeconfigFiles: ['/root/.kube/config', '/home/nonroot/.kube/config', '/.kube/config'].filter((f) => fs.existsSync(f)),
  token: fs.existsSync(tokenFile) ? fs.readFileSync(tokenFile, 'utf8') : null,
  peakMemoryBytes: memory ?? null,
}));`;

interface SelfReport {
  uid: number;
  gid: number;
  rootWrite: string;
  capEff: string;
  noNewPrivs: string;
  kubeconfig: string | null;
  kubeconfigFiles: string[];
  token: string | null;
  peakMemoryBytes: number | null;
}

async function selfReport(pod: V1Pod): Promise<SelfReport> {
  return JSON.parse(await execIn(pod, ['node', '-e', SELF_REPORT])) as SelfReport;
}

/** A server-side dry-run create of a PVC with retain 0: the webhook must refuse it (failurePolicy is Ignore). */
async function admitBadPvc(name: string): Promise<string | undefined> {
  try {
    await core.createNamespacedPersistentVolumeClaim({
      namespace: app,
      dryRun: 'All',
      body: {
        metadata: { name, labels: { [`${P}/enabled`]: 'true', [`${P}/name`]: 'stream', [`${P}/retain`]: '0' } },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      },
    });
    return 'admitted';
  } catch (error) {
    return refusedMessage(error).includes(refusal(name))
      ? undefined
      : `not refused by the webhook: ${refusedMessage(error).slice(0, 300)}`;
  }
}

/** The Status message of a refused request (the client's error carries the Status as JSON text). */
function refusedMessage(error: unknown): string {
  const body = (error as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      const { message } = JSON.parse(body) as { message?: unknown };
      return typeof message === 'string' ? message : body;
    } catch {
      return body;
    }
  }
  if (body && typeof body === 'object' && 'message' in body) return String(body.message);
  return String(error);
}

/** The pod's container as containerd knows it. */
function containerIdOf(pod: V1Pod): string {
  return pod.status?.containerStatuses?.[0]?.containerID?.replace(/^containerd:\/\//, '') ?? '';
}

/** The host PID of the container's first process (node itself: the images' entrypoint). */
async function hostPidOf(pod: V1Pod): Promise<number> {
  const { stdout } = await run('ctr', ['--address', shipped.node.containerdSocket, '-n', 'k8s.io', 'tasks', 'ls']);
  const row = stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .find(([id]) => id === containerIdOf(pod));
  const pid = Number(row?.[1]);
  assert.ok(pid > 0, `no task for ${pod.metadata?.name}: ${stdout}`);
  return pid;
}

function restarts(pod: V1Pod): number {
  return (pod.status?.containerStatuses ?? []).reduce((sum, status) => sum + status.restartCount, 0);
}

/**
 * The pods run as shipped: Ready, never restarted, non-root with a read-only root, no capabilities,
 * authenticated by their projected ServiceAccount token only. The pods are checked at once (each
 * check starts Node in the pod).
 */
async function assertPodsAsShipped(): Promise<void> {
  const tokenReviews = shipped.cluster.kubeConfig().makeApiClient(AuthenticationV1Api);
  const checkPod = async (deployment: string, pod: V1Pod) => {
    const name = pod.metadata?.name ?? '';
    assert.ok(
      pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      `${name} Ready (its startup and readiness probes pass)`,
    );
    assert.equal(restarts(pod), 0, `${name}: no restart (its liveness probe passes)`);
    const self = await selfReport(pod);
    assert.equal(self.uid, 65532, `${name} runs as 65532`);
    assert.equal(self.gid, 65532);
    assert.equal(self.rootWrite, 'EROFS', `${name}: the root filesystem is read-only`);
    assert.equal(self.capEff, '0000000000000000', `${name}: no capabilities`);
    assert.equal(self.noNewPrivs, '1', `${name}: no privilege escalation`);
    assert.equal(self.kubeconfig, null, `${name}: no KUBECONFIG`);
    assert.deepEqual(self.kubeconfigFiles, [], `${name}: no kubeconfig file`);
    assert.ok(self.token !== null, `${name}: the projected token is mounted`);
    const projected = pod.spec?.volumes?.find((volume) =>
      volume.projected?.sources?.some((source) => source.serviceAccountToken),
    );
    assert.ok(projected, `${name}: the token is a projected (bound, expiring) ServiceAccount token`);
    // The token the process uses is bound to this pod and names its ServiceAccount.
    const review = await tokenReviews.createTokenReview({ body: { spec: { token: self.token } } });
    assert.equal(review.status?.authenticated, true);
    assert.equal(review.status?.user?.username, `system:serviceaccount:${PRODUCT_NAMESPACE}:${deployment}`);
    assert.deepEqual(review.status?.user?.extra?.['authentication.kubernetes.io/pod-name'], [name]);
  };
  const checks: Promise<void>[] = [];
  for (const deployment of [WEBHOOK_DEPLOYMENT, RECONCILER_DEPLOYMENT]) {
    const running = await pods(deployment);
    assert.equal(running.length, 2, `${deployment}: 2 replicas`);
    checks.push(...running.map((pod) => checkPod(deployment, pod)));
  }
  await Promise.all(checks);
  // And it is what they work with: the reconciler's leader holds the Lease under its pod name, the
  // webhook wrote its caBundle (admissions are answered through it).
  const lease = await shipped.cluster
    .kubeConfig()
    .makeApiClient(CoordinationV1Api)
    .readNamespacedLease({ name: RECONCILER_DEPLOYMENT, namespace: PRODUCT_NAMESPACE });
  const reconcilers = (await pods(RECONCILER_DEPLOYMENT)).map((pod) => pod.metadata?.name);
  assert.ok(reconcilers.includes(lease.spec?.holderIdentity ?? ''), 'a reconciler pod leads');
}

/**
 * `kubectl apply`: a bad PVC is refused through the Service with the product's message, a good one
 * named `pvc` gets its name label filled in on create, its RecurringJob, and once bound the job's
 * label on its Volume.
 */
async function assertAdmissionAndJobs(pvc: string): Promise<void> {
  const manifest = (name: string, labels: Record<string, string>) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name, namespace: app, labels },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: 'longhorn',
        resources: { requests: { storage: '1Gi' } },
      },
    });
  const bad = await shipped.cluster.kubectl(['apply', '-f', '-'], {
    input: manifest('bad', { [`${P}/enabled`]: 'true', [`${P}/name`]: 'bad', [`${P}/retain`]: '0' }),
  });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, new RegExp(refusal('bad').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));

  const good = await shipped.cluster.kubectl(['apply', '-f', '-'], {
    input: manifest(pvc, { [`${P}/enabled`]: 'true' }),
  });
  assert.equal(good.code, 0, good.stderr);
  const stored = await world.getPvc(app, pvc);
  assert.equal(stored.metadata?.labels?.[`${P}/name`], pvc, 'the webhook filled in the name on create');

  const jobName = `backup-${app}-${pvc}`;
  const job = await world.waitForJob(jobName, () => true, `RecurringJob ${jobName}`);
  assert.equal(job.spec?.task, 'backup');
  const volume = `pvc-${pvc}-volume`;
  await world.bind(app, pvc, volume);
  await waitFor(
    'the job label on the Volume',
    async () =>
      (await world.volume(volume)).metadata.labels?.[`recurring-job.longhorn.io/${jobName}`] === 'enabled'
        ? true
        : undefined,
    120_000,
    500,
  );
}

test(
  'the pods run as shipped: non-root, read-only root, no capabilities, probes passing, authenticated by their projected ServiceAccount token only',
  { skip },
  assertPodsAsShipped,
);

test(
  'kubectl apply: a bad PVC is refused through the Service, defaults are filled in on create, a good PVC gets its job and its Volume label',
  { skip },
  () => assertAdmissionAndJobs('data'),
);

test(
  'killing the leading reconciler pod: the other replica takes the Lease over once it runs out',
  { skip },
  async () => {
    const leases = shipped.cluster.kubeConfig().makeApiClient(CoordinationV1Api);
    const readLease = () => leases.readNamespacedLease({ name: RECONCILER_DEPLOYMENT, namespace: PRODUCT_NAMESPACE });
    const before = await readLease();
    const leader = (await pods(RECONCILER_DEPLOYMENT)).find(
      (pod) => pod.metadata?.name === before.spec?.holderIdentity,
    );
    assert.ok(leader, 'a reconciler pod leads');
    const standby = (await pods(RECONCILER_DEPLOYMENT))
      .map((pod) => pod.metadata?.name)
      .find((name) => name !== leader.metadata?.name);
    const containerId = containerIdOf(leader);
    const killed = Date.now();
    await run('ctr', [
      '--address',
      shipped.node.containerdSocket,
      '-n',
      'k8s.io',
      'tasks',
      'kill',
      '-s',
      'SIGKILL',
      containerId,
    ]);
    // The pod is gone with its process (as when its node dies): the kubelet must not restart the
    // container in place, where it would carry the same identity and reclaim its own Lease.
    await core.deleteNamespacedPod({
      name: leader.metadata?.name ?? '',
      namespace: PRODUCT_NAMESPACE,
      gracePeriodSeconds: 0,
    });
    const holder = await waitFor(
      'another reconciler pod holding the Lease',
      async () => {
        const lease = await readLease();
        const identity = lease.spec?.holderIdentity;
        return identity && identity !== before.spec?.holderIdentity ? identity : undefined;
      },
      120_000,
      200,
    );
    const takeoverMs = Date.now() - killed;
    const leaseMs = (before.spec?.leaseDurationSeconds ?? 0) * 1000;
    const replicas = (await pods(RECONCILER_DEPLOYMENT)).map((pod) => pod.metadata?.name);
    const who = holder === standby ? 'the standby' : 'the replacement pod';
    log(
      `leader ${leader.metadata?.name} killed; ${who} ${holder} took over after ${takeoverMs} ms (lease ${leaseMs} ms)`,
    );
    // As client-go's, a replica times the Lease from when it saw the last renewal, on one of its
    // tries (every retry period, 2 s, with up to 20% jitter: at most 2.4 s), and acquires it on its
    // first try after the lease duration; the kill came at most a retry period after that renewal.
    // So from the kill: at most one lease duration and two jittered retry periods for the standby.
    // The pod replacing the killed one starts within seconds and first sees the Lease then: its
    // lease duration can run out at the same time as the standby's, and either may win.
    assert.ok(
      holder !== leader.metadata?.name && replicas.includes(holder),
      `${holder} holds the Lease: not a live replica other than the killed leader (${replicas.join(', ')})`,
    );
    assert.ok(takeoverMs >= leaseMs - 2_000, `takeover in ${takeoverMs} ms: before the Lease ran out`);
    assert.ok(takeoverMs <= leaseMs + 2 * 2_400, `takeover in ${takeoverMs} ms, lease ${leaseMs} ms`);
  },
);

test('kubectl rollout restart of the webhook under 20 admissions/s: not one admission missed', { skip }, async () => {
  const failures: string[] = [];
  const inFlight: Promise<void>[] = [];
  let sent = 0;
  const stream = setInterval(() => {
    const name = `stream-${sent++}`;
    inFlight.push(
      admitBadPvc(name).then((failure) => {
        if (failure) failures.push(`${new Date().toISOString()} ${name}: ${failure}`);
      }),
    );
  }, 50);
  try {
    await sleep(3_000);
    const rollout = (...args: string[]) =>
      shipped.cluster.kubectl(['rollout', ...args, `deployment/${WEBHOOK_DEPLOYMENT}`, '-n', PRODUCT_NAMESPACE]);
    const restart = await rollout('restart');
    assert.equal(restart.code, 0, restart.stderr);
    const status = await rollout('status', '--timeout=300s');
    assert.equal(status.code, 0, status.stderr);
    // The old pods finish their graceful shutdown after the rollout reports done.
    await waitFor(
      'the old webhook pods gone',
      async () => {
        const all = await core.listNamespacedPod({
          namespace: PRODUCT_NAMESPACE,
          labelSelector: 'app.kubernetes.io/component=webhook',
        });
        return all.items.length === 2 ? true : undefined;
      },
      120_000,
      500,
    );
    await sleep(3_000);
  } finally {
    clearInterval(stream);
    await Promise.all(inFlight);
  }
  log(`rollout restart: ${sent} admissions at 20/s, ${failures.length} missed`);
  assert.deepEqual(failures, []);
  assert.ok(sent > 100);
});

test("deleting the webhook's TLS Secret: the replicas recover and admissions resume", { skip }, async () => {
  await core.deleteNamespacedSecret({ name: WEBHOOK_TLS_SECRET, namespace: PRODUCT_NAMESPACE });
  const deleted = Date.now();
  await waitFor(
    'the TLS Secret made again',
    async () => {
      await core.readNamespacedSecret({ name: WEBHOOK_TLS_SECRET, namespace: PRODUCT_NAMESPACE });
      return true;
    },
    300_000,
    500,
  );
  let streak = 0;
  await waitFor(
    'admissions answered by the webhook again (20 in a row)',
    async () => {
      streak = (await admitBadPvc(`after-secret-${Date.now()}`)) === undefined ? streak + 1 : 0;
      return streak >= 20 ? true : undefined;
    },
    300_000,
    100,
  );
  const ready = await pods(WEBHOOK_DEPLOYMENT);
  assert.equal(ready.length, 2);
  for (const pod of ready) {
    assert.ok(pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  }
  log(`TLS Secret deleted: admissions resumed after ${Date.now() - deleted} ms`);
});

// Longer than the earlier liveness probe's patience (3 failures 10 s apart: restarted after about
// 30 s), well within the shipped one's (2 minutes).
const FREEZE_MS = 45_000;

test(
  'a webhook replica frozen for 45 s (SIGSTOP, as a starved or swapping process): out of the Service meanwhile, never restarted, Ready again once it runs',
  { skip },
  async () => {
    const [pod] = await pods(WEBHOOK_DEPLOYMENT);
    assert.ok(pod);
    const name = pod.metadata?.name ?? '';
    const read = () => core.readNamespacedPod({ name, namespace: PRODUCT_NAMESPACE });
    const ready = async () => (await read()).status?.conditions?.find((c) => c.type === 'Ready')?.status;
    const pid = await hostPidOf(pod);
    const frozenAt = Date.now();
    process.kill(pid, 'SIGSTOP');
    try {
      await waitFor(`${name} not Ready`, async () => ((await ready()) === 'False' ? true : undefined), 90_000, 500);
      log(`${name} frozen: not Ready (out of the Service) after ${Date.now() - frozenAt} ms`);
      await sleep(Math.max(0, FREEZE_MS - (Date.now() - frozenAt)));
      assert.equal(restarts(await read()), 0, `${name} not restarted while frozen`);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const thawedAt = Date.now();
    await waitFor(`${name} Ready again`, async () => ((await ready()) === 'True' ? true : undefined), 90_000, 500);
    log(`${name} running again after ${FREEZE_MS} ms frozen: Ready after ${Date.now() - thawedAt} ms`);
    assert.equal(restarts(await read()), 0, `${name} never restarted`);
  },
);

test(
  'the pods stay within their memory limits while reconciling 1,000 PVCs (no OOM kill; peaks reported)',
  { skip },
  async () => {
    const count = 1_000;
    const started = Date.now();
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const i = next++;
        await world.createPvc(app, `bulk-${i}`, enabledLabels(`bulk-${i}`));
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    log(`1,000 PVCs admitted through the webhook in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await waitFor(
      'a RecurringJob for each of the 1,000 PVCs',
      async () => {
        const jobs = await world.jobs();
        return jobs.filter((job) => job.metadata.name?.startsWith(`backup-${app}-bulk-`)).length === count
          ? true
          : undefined;
      },
      900_000,
      2_000,
    );
    log(`1,000 RecurringJobs in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    for (const deployment of [WEBHOOK_DEPLOYMENT, RECONCILER_DEPLOYMENT]) {
      for (const pod of await pods(deployment)) {
        const name = pod.metadata?.name ?? '';
        const limit = pod.spec?.containers[0]?.resources?.limits?.memory ?? '';
        const self = await selfReport(pod);
        assert.ok(self.peakMemoryBytes !== null, `${name}: the container's memory cgroup is readable`);
        log(`${name}: peak memory ${(self.peakMemoryBytes / 2 ** 20).toFixed(0)} MiB (limit ${limit})`);
        assert.ok(self.peakMemoryBytes < Number(limit.replace('Mi', '')) * 2 ** 20, `${name} within ${limit}`);
        const oomKilled = (pod.status?.containerStatuses ?? []).filter(
          (status) => status.lastState?.terminated?.reason === 'OOMKilled',
        );
        assert.deepEqual(oomKilled, [], `${name}: never OOM-killed`);
        assert.equal(restarts(pod), 0, `${name}: never restarted (its liveness probe kept passing)`);
      }
    }
  },
);

/** Every object in the product's namespace, Events aside, as `kind/name` (all listable namespaced kinds). */
async function namespaceContents(): Promise<string[]> {
  const kinds = await shipped.cluster.kubectl(['api-resources', '--verbs=list', '--namespaced', '-o', 'name']);
  assert.equal(kinds.code, 0, kinds.stderr);
  const listed = await shipped.cluster.kubectl([
    'get',
    kinds.stdout.trim().split('\n').join(','),
    '-n',
    PRODUCT_NAMESPACE,
    '-o',
    'name',
    '--ignore-not-found',
  ]);
  assert.equal(listed.code, 0, listed.stderr);
  return listed.stdout
    .split('\n')
    .filter((line) => line !== '' && !/^event(\.events\.k8s\.io)?\//.test(line))
    .sort();
}

test(
  'installed with the Helm chart instead (only the images and their pull policy set): the pods as shipped, admissions and jobs; helm uninstall leaves nothing of the product behind',
  { skip },
  async (t) => {
    if (!haveTool(t, 'helm', helm)) return;
    // The kustomize install goes first, its namespace with it: `kubectl delete -k` leaves nothing either.
    let started = Date.now();
    const deleted = await shipped.cluster.kubectl(['delete', '-k', shipped.overlayDir, '--timeout=300s']);
    assert.equal(deleted.code, 0, deleted.stderr);
    const kustomizeLeft = await shipped.cluster.kubectl([
      'get',
      '-k',
      shipped.overlayDir,
      '-o',
      'name',
      '--ignore-not-found',
    ]);
    assert.equal(kustomizeLeft.stdout.trim(), '', 'no object of manifests/core is left');

    log(`kubectl delete -k: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const chart = await installChart(
      shipped.cluster,
      shipped.images,
      helm,
      join(shipped.cluster.info.runDir, 'helm'),
      log,
    );
    await assertPodsAsShipped();
    await assertAdmissionAndJobs('helm-data');

    const manifest = await chart.helm(['get', 'manifest', RELEASE, '--namespace', PRODUCT_NAMESPACE]);
    assert.equal(manifest.code, 0, manifest.stderr);
    const jobsBefore = (await world.jobs()).map((job) => job.metadata.name).sort();
    started = Date.now();
    const uninstalled = await chart.helm(['uninstall', RELEASE, '--namespace', PRODUCT_NAMESPACE]);
    assert.equal(uninstalled.code, 0, uninstalled.stderr);
    await waitFor(
      "the product's pods gone",
      async () =>
        (await core.listNamespacedPod({ namespace: PRODUCT_NAMESPACE })).items.length === 0 ? true : undefined,
      120_000,
      500,
    );
    log(`helm uninstall: pods gone in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const chartLeft = await shipped.cluster.kubectl(['get', '-f', '-', '-o', 'name', '--ignore-not-found'], {
      input: manifest.stdout,
    });
    assert.equal(chartLeft.code, 0, chartLeft.stderr);
    assert.equal(chartLeft.stdout.trim(), '', 'no object of the chart is left');
    // What the components made at run time stays, as the chart's README says (the namespace's
    // deletion removes it); the Services' EndpointSlices follow their Services.
    const runTimeObjects = [
      'configmap/kube-root-ca.crt',
      'lease.coordination.k8s.io/longhorn-backup-guard-reconciler',
      `secret/${WEBHOOK_TLS_SECRET}`,
      'serviceaccount/default',
    ];
    await waitFor(
      'only the run-time objects left in the namespace',
      async () => (JSON.stringify(await namespaceContents()) === JSON.stringify(runTimeObjects) ? true : undefined),
      60_000,
      1_000,
    ).catch(() => undefined);
    assert.deepEqual(await namespaceContents(), runTimeObjects);
    // Nothing calls the webhook any more, and Longhorn's jobs keep backing up.
    await waitFor(
      'a bad PVC admitted (no webhook configuration left)',
      async () => ((await admitBadPvc(`after-uninstall-${Date.now()}`)) === 'admitted' ? true : undefined),
      30_000,
      500,
    );
    assert.deepEqual(
      (await world.jobs()).map((job) => job.metadata.name).sort(),
      jobsBefore,
      'RecurringJobs untouched',
    );
  },
);
