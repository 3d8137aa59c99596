// A TCP relay to the apiserver (TLS passes through) that can play a network partition: tests of the
// machinery cut one client off while the apiserver stays up for everyone else. It also counts the
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
  close(): Promise<void>;
  /** A copy of `kc` whose server is this relay. */
  kubeConfigThrough(kc: KubeConfig): KubeConfig;
}

export async function startCuttableProxy(apiUrl: string): Promise<CuttableProxy> {
  const target = new URL(apiUrl);
  let open = true;
  let accepted = 0;
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = createServer((client) => {
    accepted++;
    track(client);
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
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
      open = false;
      dropAll();
    },
    restore: () => {
      open = true;
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
