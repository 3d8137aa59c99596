// The CPU of one admission from parsed body to answer, in process (no TLS, no HTTP, no load
// generator): the benchmark's review bodies against a namespace of N labelled PVCs, the PVCs read
// from the webhook's cache indexes (cached-pvcs.ts: by backup name) or, as the baseline in the
// same run, by walking a copy of the namespace's PVCs on every review (what the cache did before).
//   node bench/webhook/decision-cost.ts [--pvcs 200,5000] [--reviews 20000]
// CPU time (process.cpuUsage) over the reviews, after a warm-up; prints a Markdown table.
import { parseArgs } from 'node:util';
import { MultiIndex } from '@longhorn-backup-guard/shared/collections/multi-index';
import type { PvcLike } from '@longhorn-backup-guard/webhook/admission/pvc-object';
import { CachedPvcs } from '@longhorn-backup-guard/webhook/cache/cached-pvcs';
import { listedPvcs, type NamespacePvcs } from '@longhorn-backup-guard/webhook/decide/namespace-pvcs';
import { handleAdmission } from '@longhorn-backup-guard/webhook/server/handle-admission';
import { createLogger } from '@longhorn-backup-guard/shared/logging/create-logger';
import { describeMachine, loadSummary } from '../lib/machine.ts';
import { markdownTable, ratio } from '../lib/table.ts';
import { benchContext, seededPvcs } from './bench-context.ts';
import { BENCH_NAMESPACE, benchCases } from './review-bodies.ts';

const { values: flags } = parseArgs({
  options: { pvcs: { type: 'string', default: '200,5000' }, reviews: { type: 'string', default: '20000' } },
});
const counts = flags.pvcs.split(',').map(Number);
const reviews = Number(flags.reviews);

/** CPU µs per review: parse the body, read it, take the context, decide, answer. */
async function cpuPerReview(body: string, webhook: 'mutate' | 'validate', view: () => NamespacePvcs): Promise<number> {
  const dependencies = {
    readiness: () => ({ ready: true }),
    contextFor: () => benchContext(view()),
    log: createLogger('bench', 'silent'),
  };
  const run = async (times: number) => {
    for (let i = 0; i < times; i++) await handleAdmission(webhook, JSON.parse(body) as unknown, dependencies);
  };
  await run(Math.min(2_000, reviews));
  const before = process.cpuUsage();
  await run(reviews);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / reviews;
}

const rows: string[][] = [];
process.stderr.write(`machine: ${describeMachine()}\nbefore: ${loadSummary()}\n`);
for (const count of counts) {
  const pvcs = seededPvcs(count);
  const cached = new CachedPvcs<PvcLike>();
  const byNamespace = new MultiIndex<PvcLike>();
  for (const pvc of pvcs) {
    cached.put(pvc);
    byNamespace.set(BENCH_NAMESPACE, pvc.metadata?.name ?? '', pvc);
  }
  for (const benchCase of benchCases()) {
    const webhook = benchCase.path === '/mutate' ? 'mutate' : 'validate';
    const walk = await cpuPerReview(benchCase.body, webhook, () => listedPvcs(byNamespace.get(BENCH_NAMESPACE)));
    const index = await cpuPerReview(benchCase.body, webhook, () => cached.inNamespace(BENCH_NAMESPACE));
    rows.push([benchCase.description, String(count), walk.toFixed(1), index.toFixed(1), ratio(walk, index)]);
    process.stderr.write(`${benchCase.id}, ${count} PVCs: walk ${walk.toFixed(1)} µs, index ${index.toFixed(1)} µs\n`);
  }
}
console.log(`\nmachine: ${describeMachine()}; ${loadSummary()} (at the end); ${reviews} reviews per figure\n`);
console.log(
  markdownTable(
    ['case', 'PVCs in the namespace', 'walk CPU µs per review', 'index CPU µs per review', 'walk/index'],
    rows,
  ),
);
