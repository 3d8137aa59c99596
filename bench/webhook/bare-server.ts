// The baseline (bare-app.ts) over HTTPS on loopback. Run as a child process by run.ts:
//   node bench/webhook/bare-server.ts <cert file> <key file> <max requests per socket, 0: no limit>
import { readFileSync } from 'node:fs';
import { reportReady, stopWith } from '../lib/child-process.ts';
import { buildBareApp } from './bare-app.ts';

const [certFile, keyFile, maxRequestsPerSocket] = process.argv.slice(2);
if (certFile === undefined || keyFile === undefined || maxRequestsPerSocket === undefined) {
  throw new Error('usage: bare-server.ts <cert file> <key file> <max requests per socket>');
}

const app = buildBareApp(
  { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') },
  Number(maxRequestsPerSocket),
);
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
reportReady({ port: typeof address === 'object' && address !== null ? address.port : 0 });
stopWith(() => app.close());
