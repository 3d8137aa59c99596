// What one client may cost the webhook (issue 11, item 3), on the real webhook on loopback with
// short limits: connections that never handshake, never send a request, send headers or a body
// too slowly, or idle after an answer are closed; connections past the cap are refused; large
// bodies take turns; and a stop ends within its timeout whatever the clients do.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import { useTestCluster } from '../harness/test-cluster.ts';
import type { ServerLimits } from '@longhorn-backup-guard/webhook/server/server-limits';
import { P, postRaw, registrationFor, runId, startTestWebhook, type RunningWebhook } from './webhook-support.ts';

const cluster = await useTestCluster();
const LIMITS: Partial<ServerLimits> = {
  handshakeTimeoutMs: 1_000,
  headersTimeoutMs: 1_000,
  idleTimeoutMs: 1_500,
  requestTimeoutMs: 2_000,
  keepAliveTimeoutMs: 1_000,
  bodyBytesInFlight: 12_000,
};
let webhook: RunningWebhook;
let ca = '';
const opened: Socket[] = [];

async function startLimitedWebhook(limits: Partial<ServerLimits>): Promise<RunningWebhook> {
  const certificateNamespace = await cluster.createNamespace('lbg-wh-limits');
  // No configuration is registered: only this file's requests reach these instances.
  return startTestWebhook({
    cluster,
    registration: registrationFor(runId()),
    certificateNamespace,
    serverLimits: limits,
  });
}

before(async () => {
  webhook = await startLimitedWebhook(LIMITS);
  ca = webhook.certificates.current?.caCert ?? '';
});

after(async () => {
  for (const socket of opened) socket.destroy();
  await webhook.handle.close();
});

function tcp(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.on('error', () => undefined);
    socket.once('close', () => reject(new Error('closed before connecting')));
    opened.push(socket);
  });
}

function tls(port: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connectTls({ host: '127.0.0.1', port, ca, servername: '127.0.0.1' }, () => resolve(socket));
    socket.once('error', reject);
    opened.push(socket);
  });
}

/** Resolves when the server has closed the socket; what the client got before that, as text. */
function closedByServer(socket: Socket): Promise<string> {
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  socket.on('error', () => undefined);
  return new Promise((resolve) => {
    if (socket.destroyed) resolve('');
    socket.once('close', () => resolve(Buffer.concat(received).toString('utf8')));
  });
}

const review = (padding = 0) =>
  JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'u-1',
      kind: { group: '', version: 'v1', kind: 'PersistentVolumeClaim' },
      operation: 'CREATE',
      namespace: 'team',
      name: 'data',
      object: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: {
          name: 'data',
          namespace: 'team',
          labels: { [`${P}/enabled`]: 'false' },
          annotations: { padding: 'x'.repeat(padding) },
        },
        spec: {},
      },
    },
  });
const json = { 'content-type': 'application/json' };

// Each case below stayed open for minutes before (Node's defaults: 120 s handshake, 60 s headers,
// no idle timeout); the test's own timeout is the bound.
test('a TCP connection that never starts a TLS handshake is closed', { timeout: 15_000 }, async () => {
  await closedByServer(await tcp(webhook.port));
});

test('a TLS connection that never sends a request is closed', { timeout: 15_000 }, async () => {
  await closedByServer(await tls(webhook.port));
});

/** Sends `start`, then `drip` every 200 ms until the server closes; what it answered. */
async function trickle(start: string, drip: string): Promise<string> {
  const socket = await tls(webhook.port);
  const closed = closedByServer(socket);
  socket.write(start);
  const interval = setInterval(() => socket.write(drip), 200);
  try {
    return await closed;
  } finally {
    clearInterval(interval);
  }
}

test('a request whose headers never end is answered 408 and closed', { timeout: 15_000 }, async () => {
  assert.match(
    await trickle('POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n', 'X-Slow: 1\r\n'),
    /^HTTP\/1\.1 408 /,
  );
});

test('a request whose body trickles in is answered 408 and closed', { timeout: 15_000 }, async () => {
  assert.match(
    await trickle(
      'POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
      ' ',
    ),
    /^HTTP\/1\.1 408 /,
  );
});

test('a kept-alive connection idle after its answer is closed', { timeout: 15_000 }, async () => {
  const socket = await tls(webhook.port);
  const closed = closedByServer(socket);
  socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  const text = await closed;
  assert.match(text, /^HTTP\/1\.1 200 /);
  assert.match(text, /keep-alive/i);
});

test(
  'connections past the cap are closed at once; below it again, new ones are served',
  { timeout: 30_000 },
  async () => {
    // Timeouts of minutes: a connection closed here is closed by the cap, nothing else.
    const capped = await startLimitedWebhook({
      handshakeTimeoutMs: 120_000,
      headersTimeoutMs: 60_000,
      requestTimeoutMs: 120_000,
      idleTimeoutMs: 120_000,
      maxConnections: 4,
      shutdownTimeoutMs: 1_000,
    });
    try {
      const held = await Promise.all(Array.from({ length: 4 }, () => tcp(capped.port)));
      const refused = await tcp(capped.port).catch(() => null);
      if (refused !== null) await closedByServer(refused);
      for (const socket of held) assert.equal(socket.destroyed, false);
      for (const socket of held) socket.destroy();
      // The cap counts connections as the server sees them: their close reaches it a moment later.
      const cappedCa = capped.certificates.current?.caCert ?? '';
      for (let attempt = 0; ; attempt++) {
        const answer = await postRaw(capped.port, '/healthz', cappedCa, '', {}, 'GET').catch(() => null);
        if (answer?.status === 200) break;
        assert.ok(attempt < 50, 'no answer after the held connections were closed');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await capped.handle.close();
    }
  },
);

test(
  'bodies take turns within the byte budget: a large one waits while another holds most of it; small ones go ahead',
  { timeout: 20_000 },
  async () => {
    // The holder reserves about 8,000 of the 12,000 bytes: its headers announce them, and only a part comes.
    const holder = await tls(webhook.port);
    const holderClosed = closedByServer(holder);
    const large = review(8_000);
    holder.write(
      `POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(large)}\r\n\r\n${large.slice(0, 100)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    let secondAnswered = false;
    const second = postRaw(webhook.port, '/validate', ca, review(8_000), json).then((answer) => {
      secondAnswered = true;
      return answer;
    });
    // Small reviews are answered meanwhile; the second large one is still waiting for its bytes.
    for (let index = 0; index < 3; index++)
      assert.equal((await postRaw(webhook.port, '/validate', ca, review(), json)).status, 200);
    assert.equal(secondAnswered, false, 'a second large body was read past the budget');
    // The holder finishes its body: answered; then the second gets its bytes and its answer.
    holder.end(large.slice(100));
    assert.match(await holderClosed, /^HTTP\/1\.1 200 /);
    assert.equal((await second).status, 200);
  },
);

test('a stop ends within the shutdown timeout whatever the clients do', { timeout: 30_000 }, async () => {
  // Long limits, so that none of them ends these clients before the shutdown timeout does.
  const patient = await startLimitedWebhook({
    handshakeTimeoutMs: 120_000,
    headersTimeoutMs: 60_000,
    requestTimeoutMs: 120_000,
    idleTimeoutMs: 120_000,
    shutdownTimeoutMs: 2_000,
  });
  const port = patient.port;
  const patientCa = patient.certificates.current?.caCert ?? '';
  const noHandshake = await tcp(port);
  const noRequest = await new Promise<TLSSocket>((resolve, reject) => {
    const socket = connectTls({ host: '127.0.0.1', port, ca: patientCa, servername: '127.0.0.1' }, () =>
      resolve(socket),
    );
    socket.once('error', reject);
    opened.push(socket);
  });
  const slowBody = await new Promise<TLSSocket>((resolve, reject) => {
    const socket = connectTls({ host: '127.0.0.1', port, ca: patientCa, servername: '127.0.0.1' }, () =>
      resolve(socket),
    );
    socket.once('error', reject);
    opened.push(socket);
  });
  slowBody.write(
    'POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{',
  );
  const closes = [noHandshake, noRequest, slowBody].map((socket) => closedByServer(socket));
  await new Promise((resolve) => setTimeout(resolve, 200));
  await patient.handle.close();
  await Promise.all(closes);
});
