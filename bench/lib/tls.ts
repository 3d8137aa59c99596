// A CA and a serving certificate for 127.0.0.1, minted by the certs workspace (ECDSA P-256,
// SHA-256: what the webhook serves in production), written to a directory for child processes.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  mintCertificateAuthority,
  mintServingCertificate,
  plannedValidity,
} from '@longhorn-backup-guard/certs/mint-certificates';

export interface TlsFiles {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export async function writeLoopbackCertificate(dir: string): Promise<TlsFiles> {
  const validity = plannedValidity(new Date(), 24 * 3600);
  const ca = await mintCertificateAuthority('longhorn-backup-guard-bench-ca', validity);
  const serving = await mintServingCertificate(
    ca,
    'longhorn-backup-guard-bench',
    { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] },
    validity,
  );
  const files = { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') };
  await writeFile(files.caFile, ca.cert);
  await writeFile(files.certFile, serving.cert);
  await writeFile(files.keyFile, serving.key, { mode: 0o600 });
  return files;
}
