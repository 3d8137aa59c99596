// The baseline: a bare fastify HTTPS server with the webhook's certificate and body limit that
// parses the review and answers "allowed" with its uid, and nothing else. Run as a child process by
// run.ts:  node bench/webhook/bare-server.ts <cert file> <key file> <max requests per socket, 0: no limit>
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { ADMISSION_BODY_LIMIT } from '@longhorn-backup-guard/webhook/server/admission-server';
import { reportReady, stopWith } from '../lib/child-process.ts';

const [certFile, keyFile, maxRequestsPerSocket] = process.argv.slice(2);
if (certFile === undefined || keyFile === undefined || maxRequestsPerSocket === undefined) {
  throw new Error('usage: bare-server.ts <cert file> <key file> <max requests per socket>');
}

const app = Fastify({
  https: { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), minVersion: 'TLSv1.2' },
  bodyLimit: ADMISSION_BODY_LIMIT,
  maxRequestsPerSocket: Number(maxRequestsPerSocket),
});

function uidOf(body: unknown): string {
  const request = (body as { request?: { uid?: unknown } } | null)?.request;
  return typeof request?.uid === 'string' ? request.uid : '';
}

for (const path of ['/validate', '/mutate']) {
  app.post(path, async (request) => ({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: { uid: uidOf(request.body), allowed: true },
  }));
}

await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
reportReady({ port: typeof address === 'object' && address !== null ? address.port : 0 });
stopWith(() => app.close());
