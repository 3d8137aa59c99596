// A TCP relay to the apiserver (TLS passes through) that can play a network partition: tests of the
// machinery cut one client off while the apiserver stays up for everyone else, either by resetting
// its connections (cut) or by dropping the relay's packets in the kernel (a blackhole: iptables
// DROP on its port, nothing closed, nothing acknowledged; the sender retransmits, and what it gave
// up on, a connection it reset, never arrives). It also counts the connections a client opens
// (the pooled transport's test).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { promisify } from 'node:util';
import type { TestContext } from 'node:test';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeClient } from '@longhorn-backup-guard/shared/kube/kube-client';
import { kubeClientOf } from '@longhorn-backup-guard/shared/kube/kube-source';
import type { TestCluster } from '../harness/test-cluster.ts';

export interface CuttableProxy {
  port: number;
  /** TCP connections accepted so far (each one a TLS handshake with the apiserver). */
  readonly accepted: number;
  /** Drops every connection and refuses new ones. */
  cut(): void;
  restore(): void;
  /**
   * Drops every packet to and from the relay's port in the kernel (iptables, needs root): as a
   * lost network, nothing is acknowledged; a connection its client resets meanwhile is gone.
   */
  dropPackets(): Promise<void>;
  /** Removes the drop rules: connections still open carry on, retransmitting what was lost. */
  passPackets(): Promise<void>;
  close(): Promise<void>;
  /** A copy of `kc` whose server is this relay. */
  kubeConfigThrough(kc: KubeConfig): KubeConfig;
}

export async function startCuttableProxy(apiUrl: string): Promise<CuttableProxy> {
  const target = new URL(apiUrl);
  let mode: 'open' | 'cut' = 'open';
  let accepted = 0;
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const relay = (client: Socket): void => {
    const upstream = connect(Number(target.port), target.hostname);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  };
  const server = createServer((client) => {
    accepted++;
    track(client);
    if (mode === 'cut') {
      client.destroy();
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
  // Loopback packets pass INPUT once each way: to the relay (dport) and from it (sport).
  const dropRules = [`--dport`, `--sport`].map((match) => [
    'INPUT',
    '-i',
    'lo',
    '-p',
    'tcp',
    match,
    String(port),
    '-j',
    'DROP',
  ]);
  let dropping = false;
  const passPackets = async (): Promise<void> => {
    if (!dropping) return;
    dropping = false;
    for (const rule of dropRules) await iptables(['-D', ...rule]);
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
    dropPackets: async () => {
      if (dropping) return;
      dropping = true;
      for (const rule of dropRules) await iptables(['-I', ...rule]);
    },
    passPackets,
    close: async () => {
      await passPackets();
      await new Promise<void>((resolve) => {
        dropAll();
        server.close(() => resolve());
      });
    },
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

/** Whether dropPackets can work here: iptables installed and this process allowed to change rules. */
export async function canDropPackets(): Promise<boolean> {
  return iptables(['-S', 'INPUT']).then(
    () => true,
    () => false,
  );
}

async function iptables(args: readonly string[]): Promise<void> {
  await promisify(execFile)('iptables', ['-w', '5', ...args]);
}

/** A relay to `cluster`'s apiserver, and the components' client through it as the admin; both closed after `t`. */
export async function clientThroughProxy(
  t: TestContext,
  cluster: TestCluster,
): Promise<{ proxy: CuttableProxy; client: KubeClient }> {
  const proxy = await startCuttableProxy(cluster.info.apiUrl);
  t.after(() => proxy.close());
  const client = kubeClientOf(proxy.kubeConfigThrough(cluster.kubeConfig()));
  t.after(() => client.close());
  return { proxy, client };
}
