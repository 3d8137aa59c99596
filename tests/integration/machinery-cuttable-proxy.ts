// A TCP relay to the apiserver (TLS passes through) that can play a network partition: tests of the
// machinery cut one client off while the apiserver stays up for everyone else, either by resetting
// its connections (cut) or by a blackhole that forwards nothing and closes nothing (as dropped
// packets: what was sent waits, and arrives if the partition heals). It also counts the
// connections a client opens (the pooled transport's test).
import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';

export interface CuttableProxy {
  port: number;
  /** TCP connections accepted so far (each one a TLS handshake with the apiserver). */
  readonly accepted: number;
  /** Drops every connection and refuses new ones. */
  cut(): void;
  restore(): void;
  /** Stops forwarding in both directions without closing anything; new connections hang. */
  blackhole(): void;
  /** Forwards again, what waited during the blackhole included. */
  heal(): void;
  close(): Promise<void>;
  /** A copy of `kc` whose server is this relay. */
  kubeConfigThrough(kc: KubeConfig): KubeConfig;
}

export async function startCuttableProxy(apiUrl: string): Promise<CuttableProxy> {
  const target = new URL(apiUrl);
  let mode: 'open' | 'cut' | 'blackhole' = 'open';
  let accepted = 0;
  const sockets = new Set<Socket>();
  /** Client connections and their upstream (none yet for one accepted during a blackhole). */
  const relays = new Map<Socket, Socket | undefined>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const forward = (client: Socket, upstream: Socket): void => {
    client.pipe(upstream).pipe(client);
  };
  const relay = (client: Socket): void => {
    const upstream = connect(Number(target.port), target.hostname);
    track(upstream);
    relays.set(client, upstream);
    forward(client, upstream);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  };
  const server = createServer((client) => {
    accepted++;
    track(client);
    client.on('close', () => relays.delete(client));
    if (mode === 'cut') {
      client.destroy();
      return;
    }
    if (mode === 'blackhole') {
      client.pause();
      relays.set(client, undefined);
      return;
    }
    relay(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  const port = address.port;
  const dropAll = (): void => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    port,
    get accepted() {
      return accepted;
    },
    cut: () => {
      mode = 'cut';
      dropAll();
    },
    restore: () => {
      mode = 'open';
    },
    blackhole: () => {
      mode = 'blackhole';
      for (const [client, upstream] of relays) {
        client.unpipe();
        upstream?.unpipe();
        client.pause();
        upstream?.pause();
      }
    },
    heal: () => {
      mode = 'open';
      for (const [client, upstream] of relays) {
        if (upstream === undefined) relay(client);
        else forward(client, upstream);
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        dropAll();
        server.close(() => resolve());
      }),
    kubeConfigThrough: (kc) => {
      const cluster = kc.getCurrentCluster();
      assert.ok(cluster);
      kc.clusters = kc.clusters.map((c) =>
        c.name === cluster.name ? { ...c, server: `https://127.0.0.1:${port}` } : c,
      );
      return kc;
    },
  };
}
