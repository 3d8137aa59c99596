// Compacts etcd's history up to now through its HTTP gateway, as the apiserver does every five
// minutes in a cluster. Together with an apiserver restart (its watch cache then starts after the
// compaction) this makes a watch from an old resourceVersion answer 410 Gone.
export async function compactEtcdHistory(etcdUrl: string): Promise<void> {
  const range = await fetch(`${etcdUrl}/v3/kv/range`, {
    method: 'POST',
    body: JSON.stringify({ key: Buffer.from('/').toString('base64') }),
  });
  const { header } = (await range.json()) as { header: { revision: string } };
  const compaction = await fetch(`${etcdUrl}/v3/kv/compaction`, {
    method: 'POST',
    body: JSON.stringify({ revision: header.revision, physical: true }),
  });
  if (!compaction.ok) throw new Error(`etcd compaction failed: ${compaction.status} ${await compaction.text()}`);
}
