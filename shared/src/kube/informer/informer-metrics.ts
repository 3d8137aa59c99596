// backup_informer_restarts_total{resource}: watches started over after an error, 410 Gone or the watchdog.
import { Counter, type Registry } from 'prom-client';

export interface InformerMetrics {
  restarts: Counter<'resource'>;
}

/** Call once per registry; pass the result to every informer that reports to it. */
export function createInformerMetrics(registry: Registry): InformerMetrics {
  return {
    restarts: new Counter({
      name: 'backup_informer_restarts_total',
      help: 'Times an informer had to start its watch over: after an error, 410 Gone (relist) or a silent watch (relist).',
      labelNames: ['resource'],
      registers: [registry],
    }),
  };
}
