// The baseline server: bare fastify with the webhook's certificate and body limit that parses the
// review and answers "allowed" with its uid, and nothing else. Served over HTTPS by bare-server.ts,
// called in process by server-cost.ts.
import Fastify from 'fastify';
import { ADMISSION_BODY_LIMIT } from '@longhorn-backup-guard/webhook/server/admission-endpoint';

function uidOf(body: unknown): string {
  const request = (body as { request?: { uid?: unknown } } | null)?.request;
  return typeof request?.uid === 'string' ? request.uid : '';
}

export function buildBareApp(tls: { readonly key: string; readonly cert: string }, maxRequestsPerSocket: number) {
  const app = Fastify({
    https: { key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2' },
    bodyLimit: ADMISSION_BODY_LIMIT,
    maxRequestsPerSocket,
  });
  for (const path of ['/validate', '/mutate']) {
    app.post(path, async (request) => ({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: uidOf(request.body), allowed: true },
    }));
  }
  return app;
}
