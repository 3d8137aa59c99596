// Two webhooks in the same rounds: the one of another checkout (the base, e.g. `git worktree add
// --detach ../base <commit>` with its own node_modules) and the one of this tree, beside the bare
// fastify server, on one control plane, over loopback HTTPS. A change's effect on the CPU per
// answer is smaller than the machine's drift between runs of run.ts; here each round runs the
// three servers back to back (the order rotating), so each round's this-tree/base ratio compares
// them under the same load.
//   node bench/webhook/compare.ts --base <checkout dir> [--rounds 6] [--duration 4] [--connections 32]
//                                 [--existing-pvcs 200] [--cases validate-allowed,...]
//                                 [--node-options="<the Deployment's NODE_OPTIONS>"] [--base-node-options=same]
// --base . compares Node options alone: this tree as the base, run with --base-node-options.
// Prints a Markdown table. Performance is never asserted: this only measures.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuSeconds, startChild, type Child } from '../lib/child-process.ts';
import { startBenchControlPlane, type ControlPlane } from '../lib/control-plane.ts';
import { shippedNodeOptions } from '../lib/deployment-node-options.ts';
import { describeMachine, loadSummary } from '../lib/machine.ts';
import { median, medianAndRange } from '../lib/percentiles.ts';
import { markdownTable } from '../lib/table.ts';
import { writeLoopbackCertificate } from '../lib/tls.ts';
import { closedLoop } from './load-generators.ts';
import { benchCases } from './review-bodies.ts';
import { seedCluster } from './seed-cluster.ts';

const { values: flags } = parseArgs({
  options: {
    base: { type: 'string' },
    rounds: { type: 'string', default: '6' },
    duration: { type: 'string', default: '4' },
    connections: { type: 'string', default: '32' },
    'existing-pvcs': { type: 'string', default: '200' },
    cases: { type: 'string' },
    'node-options': { type: 'string', default: shippedNodeOptions('webhook') },
    // The base webhook's Node options: the same as this one's unless told otherwise.
    'base-node-options': { type: 'string', default: 'same' },
  },
});
if (flags.base === undefined) throw new Error('usage: compare.ts --base <checkout dir> (see the comment at the top)');
const rounds = Number(flags.rounds);
const durationSeconds = Number(flags.duration);
const connections = Number(flags.connections);
const WARMUP_SECONDS = 2;
const SERVERS = ['bare', 'base', 'this'] as const;
type ServerName = (typeof SERVERS)[number];
/** Each round's order (a Latin square): every server goes first, second and last as often. */
const ORDERS: readonly (readonly ServerName[])[] = [
  ['bare', 'base', 'this'],
  ['base', 'this', 'bare'],
  ['this', 'bare', 'base'],
];

const log = (message: string) => process.stderr.write(`${message}\n`);
const here = import.meta.dirname;

const workDir = await mkdtemp(join(tmpdir(), 'lbg-bench-compare-'));
const children: Child[] = [];
let plane: ControlPlane | undefined;
try {
  log(`machine: ${describeMachine()}\nbefore: ${loadSummary()}`);
  const tls = await writeLoopbackCertificate(workDir);
  plane = await startBenchControlPlane(log);
  await seedCluster(plane, Number(flags['existing-pvcs']));
  const optionsOf = (text: string) => text.split(/\s+/).filter(Boolean);
  const nodeOptions = optionsOf(flags['node-options']);
  const baseNodeOptions = flags['base-node-options'] === 'same' ? nodeOptions : optionsOf(flags['base-node-options']);
  const webhookArgs = [plane.info.kubeconfigPath, tls.certFile, tls.keyFile, '0'];
  const start = async (script: string, args: string[], execArgv: string[]) => {
    const child = await startChild(script, args, { execArgv });
    children.push(child);
    return { pid: child.pid, url: `https://127.0.0.1:${child.ready.port}` };
  };
  const servers: Record<ServerName, { pid: number; url: string }> = {
    bare: await start(join(here, 'bare-server.ts'), [tls.certFile, tls.keyFile, '0'], []),
    base: await start(join(flags.base, 'bench/webhook/webhook-server.ts'), webhookArgs, baseNodeOptions),
    this: await start(join(here, 'webhook-server.ts'), webhookArgs, nodeOptions),
  };

  const rows: string[][] = [];
  const selected = flags.cases?.split(',') ?? benchCases().map((c) => c.id);
  for (const benchCase of benchCases().filter((c) => selected.includes(c.id))) {
    const bodyFile = join(workDir, `${benchCase.id}.json`);
    await writeFile(bodyFile, benchCase.body);
    const load = (server: ServerName, seconds: number) =>
      closedLoop(servers[server].url + benchCase.path, bodyFile, { connections, durationSeconds: seconds });
    for (const server of SERVERS) await load(server, WARMUP_SECONDS);
    const micros: Record<ServerName, number[]> = { bare: [], base: [], this: [] };
    for (let round = 0; round < rounds; round++) {
      for (const server of ORDERS[round % ORDERS.length] ?? SERVERS) {
        const before = await cpuSeconds(servers[server].pid);
        const result = await load(server, durationSeconds);
        if (result.failures > 0) throw new Error(`${server} failed ${result.failures} requests of ${benchCase.id}`);
        micros[server].push((((await cpuSeconds(servers[server].pid)) - before) * 1e6) / result.total);
      }
      log(
        `${benchCase.id} round ${round + 1}: ${SERVERS.map((s) => `${s} ${micros[s].at(-1)?.toFixed(0)} µs`).join(', ')}`,
      );
    }
    const perRound = (over: ServerName, under: ServerName) =>
      micros[over].map((value, i) => value / (micros[under][i] ?? NaN));
    rows.push([
      benchCase.description,
      ...SERVERS.map((server) => median(micros[server]).toFixed(0)),
      medianAndRange(perRound('this', 'base'), (value) => value.toFixed(2)),
      `${median(perRound('bare', 'base')).toFixed(2)}x / ${median(perRound('bare', 'this')).toFixed(2)}x`,
    ]);
  }
  console.log(
    `\nmachine: ${describeMachine()}; ${loadSummary()} (at the end); base ${flags.base} (node options ${baseNodeOptions.join(' ')}); node options ${flags['node-options']}; ${rounds} rounds of ${durationSeconds} s, ${connections} connections\n`,
  );
  console.log(
    markdownTable(
      [
        'case',
        'bare CPU µs per answer',
        'base webhook',
        'this webhook',
        'this/base, each round: median (min-max)',
        'bare/webhook, median of rounds: base / this',
      ],
      rows,
    ),
  );
} finally {
  await Promise.all(children.map((child) => child.stop()));
  await plane?.stop();
  await rm(workDir, { recursive: true, force: true });
}
