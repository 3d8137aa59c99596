// Throw-away PKI for a local control plane: one CA that signs the apiserver's serving certificate
// and the admin client certificate (O=system:masters), plus the ServiceAccount token key pair.
// ECDSA P-256 with SHA-256 signatures; valid for 7 days.
import { execFile } from 'node:child_process';
import { mkdir, writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ControlPlanePki {
  caCert: string;
  caKey: string;
  apiserverCert: string;
  apiserverKey: string;
  adminCert: string;
  adminKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function signedLeaf(dir: string, name: string, subject: string, extensions: string): Promise<void> {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  await run('openssl', ['req', ...ecKey, '-keyout', key, '-out', csr, '-subj', subject]);
  await writeFile(ext, extensions);
  await run('openssl', [
    'x509',
    '-req',
    '-sha256',
    '-in',
    csr,
    '-CA',
    join(dir, 'ca.crt'),
    '-CAkey',
    join(dir, 'ca.key'),
    '-CAcreateserial',
    '-days',
    '7',
    '-out',
    join(dir, `${name}.crt`),
    '-extfile',
    ext,
  ]);
  await rm(csr);
  await rm(ext);
}

/** `extraIps`: more IP addresses the apiserver answers on (a node cell: the node IP, the `kubernetes` Service IP). */
export async function createControlPlanePki(dir: string, extraIps: readonly string[] = []): Promise<ControlPlanePki> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await run('openssl', [
    'req',
    '-x509',
    '-sha256',
    ...ecKey,
    '-keyout',
    join(dir, 'ca.key'),
    '-out',
    join(dir, 'ca.crt'),
    '-days',
    '7',
    '-subj',
    '/CN=longhorn-backup-guard-test-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await signedLeaf(
    dir,
    'apiserver',
    '/CN=kube-apiserver',
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' +
      `subjectAltName=IP:127.0.0.1,${extraIps.map((ip) => `IP:${ip},`).join('')}DNS:localhost,DNS:kubernetes.default.svc\n`,
  );
  await signedLeaf(
    dir,
    'admin',
    '/O=system:masters/CN=test-admin',
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n',
  );
  await run('openssl', ['genrsa', '-out', join(dir, 'sa.key'), '2048']);
  await run('openssl', ['rsa', '-in', join(dir, 'sa.key'), '-pubout', '-out', join(dir, 'sa.pub')]);
  return {
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    apiserverCert: join(dir, 'apiserver.crt'),
    apiserverKey: join(dir, 'apiserver.key'),
    adminCert: join(dir, 'admin.crt'),
    adminKey: join(dir, 'admin.key'),
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPub: join(dir, 'sa.pub'),
  };
}
