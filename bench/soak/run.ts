// Soak benchmark (issue 12, item 7): the real webhook and reconciler, each its own process started
// as its Deployment runs it (entry point, NODE_OPTIONS), on a dedicated control plane, under churn
// at a fixed rate for a set time: PVCs created, bound, relabelled, refused, opted out and in,
// deleted; Backups completing; the configuration changed (ConfigMap and the webhook's file). Every
// minute it samples each component's RSS, V8 heap and open sockets, the reconciler's work queue
// depth and the cluster's Event count, into a CSV; at the end it writes an SVG plot of them and
// prints each series' slope per hour after the warm-up with its verdict (flat or growing).
//   node bench/soak/run.ts [--minutes 60] [--rate 2] [--pvcs 60] [--namespaces 4] [--seed 12]
//                          [--sample-seconds 60] [--config-every-minutes 10] [--warmup-minutes 10]
//                          [--out bench/soak/results] [--name soak-<date>]
// Only measures; asserts nothing.
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import { mergePatch } from '../../tests/harness/patch-content-types.ts';
import { TestCluster } from '../../tests/harness/test-cluster.ts';
import { freePort } from '../../tests/harness/free-port.ts';
import { repoRoot } from '../../tests/harness/paths.ts';
import { shippedContainer } from '../../tests/harness/shipped-deployment.ts';
import { ReconcilerWorld } from '../../tests/integration/reconciler-fixture.ts';
import {
  registerConfigurations,
  registrationFor,
  runId,
  waitUntilWebhooksCalled,
} from '../../tests/integration/webhook-support.ts';
import { startComponent, type ComponentProcess } from '../../scripts/local/component-process.ts';
import { startBenchControlPlane } from '../lib/control-plane.ts';
import { describeMachine, loadSummary } from '../lib/machine.ts';
import { Churn } from './churn.ts';
import { countEvents, loadOne, metricsText, sampleProcess, sumOfSeries } from './samples.ts';
import { COLUMNS, soakPanels, soakTrends, type SoakRow } from './soak-report.ts';
import { plotSvg } from './svg-plot.ts';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' },
    rate: { type: 'string', default: '2' },
    pvcs: { type: 'string', default: '60' },
    namespaces: { type: 'string', default: '4' },
    seed: { type: 'string', default: '12' },
    'sample-seconds': { type: 'string', default: '60' },
    'config-every-minutes': { type: 'string', default: '10' },
    'warmup-minutes': { type: 'string', default: '10' },
    out: { type: 'string', default: join(repoRoot, 'bench', 'soak', 'results') },
    name: { type: 'string', default: `soak-${new Date().toISOString().slice(0, 10)}` },
  },
});
const minutes = Number(args.minutes);
const rate = Number(args.rate);
const sampleMs = Number(args['sample-seconds']) * 1000;
const configEveryMs = Number(args['config-every-minutes']) * 60_000;
const warmupMinutes = Math.min(Number(args['warmup-minutes']), minutes / 2);
const log = (message: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);

log(`soak: ${minutes} min at ${rate} operations/s around ${args.pvcs} PVCs, seed ${args.seed}`);
log(describeMachine());
log(loadSummary());
const plane = await startBenchControlPlane(log);
const components: ComponentProcess[] = [];
try {
  const cluster = new TestCluster(plane.info, plane);
  const kc = cluster.kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const world = await ReconcilerWorld.create(cluster, { appNamespaces: Number(args.namespaces) });

  // One configuration text for both: the reconciler reads the ConfigMap, the webhook its file.
  const configFile = join(plane.info.runDir, 'config.yaml');
  const configText = (retain: number) =>
    [
      `longhornNamespace: ${world.longhornNs}`,
      `watchNamespaces: [${world.apps.join(', ')}]`,
      'orphanGracePeriod: 2m',
      'resyncPeriod: 10m',
      'defaults:',
      `  retain: ${retain}`,
      '',
    ].join('\n');
  const writeConfig = async (retain: number) => {
    await world.writeConfig(configText(retain));
    writeFileSync(`${configFile}.new`, configText(retain));
    renameSync(`${configFile}.new`, configFile);
  };
  await writeConfig(8);

  const registration = registrationFor(runId());
  for (const name of world.apps)
    await core.patchNamespace({ name, body: { metadata: { labels: registration.namespaceLabels } } }, mergePatch);
  const [webhookPort, webhookMetricsPort, reconcilerMetricsPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  await registerConfigurations(kc, registration, webhookPort, 'Ignore');

  const common = { KUBECONFIG: plane.info.kubeconfigPath, POD_NAMESPACE: world.guardNs, LOG_LEVEL: 'info' };
  const webhook = await startComponent(
    'webhook',
    {
      ...common,
      NODE_OPTIONS: shippedContainer('webhook').nodeOptions,
      BIND_ADDRESS: '127.0.0.1',
      WEBHOOK_PORT: String(webhookPort),
      METRICS_PORT: String(webhookMetricsPort),
      CONFIG_FILE: configFile,
      CONFIG_POLL_SECONDS: '2',
      CERT_IP_ADDRESSES: '127.0.0.1',
      SHUTDOWN_DELAY_SECONDS: '0',
      WEBHOOK_CONFIGURATION_NAME: registration.configurationName,
    },
    plane.info.runDir,
    `http://127.0.0.1:${webhookMetricsPort}/readyz`,
  );
  components.push(webhook);
  const reconciler = await startComponent(
    'reconciler',
    {
      ...common,
      NODE_OPTIONS: shippedContainer('reconciler').nodeOptions,
      POD_NAME: 'soak-reconciler',
      METRICS_PORT: String(reconcilerMetricsPort),
    },
    plane.info.runDir,
    `http://127.0.0.1:${reconcilerMetricsPort}/readyz`,
  );
  components.push(reconciler);
  await waitUntilWebhooksCalled(kc, world.apps[0] ?? '', world.storageClass);
  log(`components up; logs ${webhook.logFile}, ${reconciler.logFile}`);

  const churn = new Churn(world, Number(args.pvcs), Number(args.seed));
  await churn.fill();
  log(`${churn.livePvcs} PVCs created and bound; churn starts`);

  mkdirSync(args.out, { recursive: true });
  const csvPath = join(args.out, `${args.name}.csv`);
  const columns = COLUMNS;
  type Row = SoakRow;
  writeFileSync(csvPath, `${columns.join(',')}\n`);
  const rows: Row[] = [];

  const started = performance.now();
  const endAt = started + minutes * 60_000;
  let operations = 0;
  let skipped = 0;
  let nextSample = started;
  let nextConfig = started + configEveryMs;
  let retain = 8;
  const sample = async () => {
    const minute = (performance.now() - started) / 60_000;
    const events = await countEvents(core);
    const previous = rows.at(-1);
    const reconcilerMetrics = await metricsText(reconcilerMetricsPort);
    const reconcilerSample = await sampleProcess(reconciler.pid, reconcilerMetrics);
    const webhookSample = await sampleProcess(webhook.pid, await metricsText(webhookMetricsPort));
    const row: Row = {
      minute: +minute.toFixed(2),
      reconciler_rss_mib: +reconcilerSample.rssMiB.toFixed(1),
      reconciler_heap_used_mib: +reconcilerSample.heapUsedMiB.toFixed(1),
      reconciler_sockets: reconcilerSample.sockets,
      reconciler_queue_depth: sumOfSeries(reconcilerMetrics, 'workqueue_depth') ?? Number.NaN,
      webhook_rss_mib: +webhookSample.rssMiB.toFixed(1),
      webhook_heap_used_mib: +webhookSample.heapUsedMiB.toFixed(1),
      webhook_sockets: webhookSample.sockets,
      events,
      // Events the apiserver keeps for --event-ttl (1 h by default), so their count rises through the
      // first hour of any steady churn; the rate at which they are written is what must stay flat.
      events_per_minute:
        previous === undefined ? Number.NaN : +((events - previous.events) / (minute - previous.minute)).toFixed(1),
      live_pvcs: churn.livePvcs,
      operations,
      failed_operations: churn.counts.get('failed') ?? 0,
      skipped_ticks: skipped,
      load1: +loadOne().toFixed(2),
    };
    rows.push(row);
    appendFileSync(csvPath, `${columns.map((column) => row[column]).join(',')}\n`);
    log(columns.map((column) => `${column}=${row[column]}`).join(' '));
  };

  for (let tick = 0; ; tick++) {
    const due = started + (tick * 1000) / rate;
    if (due >= endAt) break;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    else if (wait < -1000) {
      // A fixed rate: a tick more than 1 s behind is dropped and counted, never made up in a burst.
      skipped++;
      continue;
    }
    if (performance.now() >= nextSample) {
      await sample();
      nextSample += sampleMs;
    }
    if (performance.now() >= nextConfig) {
      retain = retain === 8 ? 9 : 8;
      await writeConfig(retain);
      nextConfig += configEveryMs;
    }
    await churn.step();
    operations++;
  }
  await sample();

  const limits = {
    reconciler: shippedContainer('reconciler').memoryLimitMiB,
    webhook: shippedContainer('webhook').memoryLimitMiB,
  };
  const svgPath = join(args.out, `${args.name}.svg`);
  writeFileSync(
    svgPath,
    plotSvg(
      `soak ${args.name}: ${minutes} min at ${rate} operations/s around ${args.pvcs} PVCs (${describeMachine()})`,
      soakPanels(rows, limits),
    ),
  );
  log(`done: ${operations} operations, ${skipped} ticks skipped; ${loadSummary()}`);
  log(`operations: ${JSON.stringify(Object.fromEntries(churn.counts))}`);
  if (churn.failures.length > 0) log(`last failures:\n  ${churn.failures.join('\n  ')}`);
  log(`CSV ${csvPath}\nSVG ${svgPath}`);
  process.stdout.write(`\n${soakTrends(rows, warmupMinutes)}`);
} finally {
  for (const component of components) await component.stop();
  await plane.stop();
}
