// The images the node runs, built by tests/node/images.sh (cached by the hash of their inputs).
import { join } from 'node:path';
import { runCachedBuild } from '../build-binaries.ts';
import { repoRoot } from '../paths.ts';

export interface BuiltImage {
  /** pause, webhook or reconciler */
  readonly component: string;
  /** The name containerd knows it by (localhost/<name>:<input hash>). */
  readonly reference: string;
  /** An OCI archive for `ctr images import`. */
  readonly archive: string;
}

/** The pause image first, then the product's images (webhook, reconciler). */
export async function buildImages(): Promise<BuiltImage[]> {
  const out = await runCachedBuild(join(repoRoot, 'tests', 'node', 'images.sh'), 'image build');
  return out
    .split('\n')
    .map((line) => line.split(' '))
    .filter((fields) => fields.length === 3)
    .map(([component = '', reference = '', archive = '']) => ({ component, reference, archive }));
}

export function imageOf(images: readonly BuiltImage[], component: string): BuiltImage {
  const image = images.find((candidate) => candidate.component === component);
  if (!image) throw new Error(`no ${component} image was built`);
  return image;
}
