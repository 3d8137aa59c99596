// The TLS material of one connection to the apiserver, and the connection itself: a TCP socket of
// our own under TLS, kept so that it can be reset (TCP RST, resetAndDestroy): a TLS socket refuses
// resetAndDestroy, and a graceful close would let the kernel deliver what it still holds once a
// partition heals (kube-client.ts, resetConnections).
import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

export interface TlsMaterial {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly rejectUnauthorized?: boolean;
  readonly servername?: string;
}

/** True when a connection built for `a` serves `b` (rotated files make a new one). */
export function sameTls(a: TlsMaterial, b: TlsMaterial): boolean {
  return (
    sameBytes(a.ca, b.ca) &&
    sameBytes(a.cert, b.cert) &&
    sameBytes(a.key, b.key) &&
    a.rejectUnauthorized === b.rejectUnauthorized &&
    a.servername === b.servername
  );
}

function sameBytes(a: Buffer | undefined, b: Buffer | undefined): boolean {
  return a === undefined || b === undefined ? a === b : a.equals(b);
}

function hostOf(server: URL): string {
  return server.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** A TCP connection to `server` (an http: or https: URL); TCP keep-alive on. */
function openTcp(server: URL): Socket {
  const host = hostOf(server);
  const port = Number(server.port) || (server.protocol === 'https:' ? 443 : 80);
  // No Nagle: a request is a few small frames, and waiting for the ACK of the previous one (delayed
  // up to 40 ms) would add that to every call (undici and Node's http client turn it off too).
  return tcpConnect({ host, port, noDelay: true, keepAlive: true, keepAliveInitialDelay: 30_000 });
}

/** TLS over `tcp`, offering `protocols` by ALPN; the server's name checked as client-go does. */
export function openTls(server: URL, tcp: Socket, tls: TlsMaterial, protocols: string[]): TLSSocket {
  const host = hostOf(server);
  return tlsConnect({
    socket: tcp,
    host,
    // SNI may not carry an IP address; the certificate is still checked against it.
    servername: tls.servername ?? (isIP(host) === 0 ? host : undefined),
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    rejectUnauthorized: tls.rejectUnauthorized,
    ALPNProtocols: protocols,
  });
}

/** The TCP sockets a transport opened and still holds, so that reset() can RST them all. */
export class OwnSockets {
  readonly #open = new Set<Socket>();

  /** A new TCP connection to `server`, held until it closes; its errors are the TLS socket's or the request's. */
  open(server: URL): Socket {
    const tcp = openTcp(server);
    this.#open.add(tcp);
    tcp.once('close', () => this.#open.delete(tcp));
    tcp.on('error', () => undefined);
    return tcp;
  }

  /** TCP RST on every one: nothing they still hold is delivered. */
  resetAll(): void {
    for (const tcp of this.#open) tcp.resetAndDestroy();
  }
}
