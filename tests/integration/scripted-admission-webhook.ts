// A stand-in admission webhook on 127.0.0.1 (HTTPS with a CA of its own) whose answer to each
// review the test scripts: e.g. a 429 to play the apiserver shedding load, or an answer held for
// a while to keep a request (and its priority level's seat) busy.
import { createServer } from 'node:https';
import {
  mintCertificateAuthority,
  mintServingCertificate,
  plannedValidity,
} from '@longhorn-backup-guard/certs/mint-certificates';
import { freePort } from '../harness/free-port.ts';

export interface ScriptedAnswer {
  readonly allowed: boolean;
  readonly status?: Record<string, unknown>;
  /** Hold the answer this long. */
  readonly delayMs?: number;
}

export interface ScriptedWebhook {
  readonly port: number;
  /** The CA's PEM (for caBundle, base64 of it). */
  readonly ca: string;
  close(): void;
}

export async function startScriptedWebhook(answer: () => ScriptedAnswer): Promise<ScriptedWebhook> {
  const validity = plannedValidity(new Date(), 3_600);
  const ca = await mintCertificateAuthority('scripted-webhook-ca', validity);
  const serving = await mintServingCertificate(ca, '127.0.0.1', { dnsNames: [], ipAddresses: ['127.0.0.1'] }, validity);
  const server = createServer({ cert: serving.cert, key: serving.key }, (request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      const review = JSON.parse(body) as { request: { uid: string } };
      const { allowed, status, delayMs = 0 } = answer();
      setTimeout(() => {
        response.setHeader('Content-Type', 'application/json');
        response.end(
          JSON.stringify({
            apiVersion: 'admission.k8s.io/v1',
            kind: 'AdmissionReview',
            response: { uid: review.request.uid, allowed, ...(status === undefined ? {} : { status }) },
          }),
        );
      }, delayMs);
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, ca: ca.cert, close: () => server.close() };
}
