// backup_informer_restarts_total{resource}: relists forced by errors, 410 Gone or the watchdog.
import { Counter, type Registry } from 'prom-client';

export interface InformerMetrics {
  restarts: Counter<'resource'>;
}

/** Call once per registry; pass the result to every informer that reports to it. */
export function createInformerMetrics(registry: Registry): InformerMetrics {
  return {
    restarts: new Counter({
      name: 'backup_informer_restarts_total',
      help: 'Times an informer started over with a relist after a watch error, 410 Gone or a silent watch.',
      labelNames: ['resource'],
      registers: [registry],
    }),
  };
}
