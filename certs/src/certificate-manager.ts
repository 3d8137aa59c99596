// Keeps the webhook's serving certificate right for as long as the process runs: on start and
// then periodically it makes the shared Secret right (ensure-certificate-secret.ts), injects the CA
// into the webhook configurations, and tells subscribers when the serving certificate changed
// (renewed here, or by another replica and picked up from the Secret), so an HTTPS server swaps it
// with setSecureContext and never restarts. Failures are logged and retried with backoff; the last
// good certificate stays in use.
//
//   const certificates = new CertificateManager({ kubeConfig, namespace, serviceName, secretName,
//     mutatingWebhookConfigurationName, validatingWebhookConfigurationName, logger });
//   const initial = await certificates.start();              // retries until the Secret is right
//   const app = fastify({ https: secureContextOptions(initial) });
//   reloadTlsServerOnRotation(app.server, certificates);     // see reload-tls-server.ts
//   process.once('SIGTERM', () => { void certificates.stop().then(() => app.close()); });
//
// RBAC it needs: in its namespace `create` on secrets (create cannot be limited by name) and
// `get`, `update` on the Secret by name; cluster-wide `get`, `patch` on the named
// mutatingwebhookconfigurations / validatingwebhookconfigurations.
// A new CA (the Secret deleted, or its CA broken or expired) is trusted before it is served: the
// caBundle carries the new CA and the one it replaces (ca-bundle-contents.ts says for how long),
// and a replica serves a certificate of a new CA only on a check that found the caBundles already
// carrying it (not on the check that wrote them: the apiserver reads webhook configurations through
// an informer, a moment behind the write), so neither it nor a replica still serving the old CA's
// certificate is refused by the apiserver.
// Limits: the CA is not rotated ahead of time; it is replaced only when missing, broken or
// expired (a warning is logged from when a third of its validity remains). Replicas configured
// with different names reissue for their own names on each check until they agree.
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeClient } from '@longhorn-backup-guard/shared/kube/kube-client';
import { kubeClientOf, type KubeSource } from '@longhorn-backup-guard/shared/kube/kube-source';
import { describeApiError } from '@longhorn-backup-guard/shared/kube/api-errors';
import { createLogger, type Logger } from '@longhorn-backup-guard/shared/logging/create-logger';
import { readCertificateFacts } from './certificate-facts.ts';
import type { CertificateBundle } from './certificate-secret.ts';
import {
  resolveCertificateSettings,
  type CertificateSettings,
  type CertificateSettingsInput,
} from './certificate-settings.ts';
import { nextCheckDelayMs, retryDelayMs } from './check-schedule.ts';
import {
  caBundleCertificates,
  mayServeCertificateOf,
  overlapMs,
  pemBundleOf,
  certificatesInPemBundle,
} from './ca-bundle-contents.ts';
import { ensureCertificateSecret, type EnsuredCertificates } from './ensure-certificate-secret.ts';
import { injectCaBundle, type WebhookConfigurationKind } from './inject-ca-bundle.ts';
import { renewalDueAt } from './renewal-decision.ts';

/** What an HTTPS server needs, as PEM text. */
export interface ServingCertificate {
  readonly key: string;
  readonly cert: string;
  readonly caCert: string;
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export type RotationListener = (certificate: ServingCertificate) => void;

export interface CertificateManagerOptions extends CertificateSettingsInput {
  /** The cluster: a KubeClient, or a kubeconfig object (kube-source.ts). */
  readonly kubeConfig: KubeSource;
  /** Configurations whose webhooks get the CA as caBundle; either may be left out or not exist yet. */
  readonly mutatingWebhookConfigurationName?: string | undefined;
  readonly validatingWebhookConfigurationName?: string | undefined;
  /** How often to look at the Secret when all is well (default 60 s). */
  readonly checkIntervalMs?: number | undefined;
  /** First retry after a failure (default 1 s), doubling up to retryMaxMs (default checkIntervalMs). */
  readonly retryInitialMs?: number | undefined;
  readonly retryMaxMs?: number | undefined;
  readonly logger?: Logger | undefined;
  readonly now?: (() => Date) | undefined;
}

export class CertificateManager {
  readonly settings: CertificateSettings;
  readonly #client: KubeClient;
  readonly #configurations: ReadonlyArray<{ kind: WebhookConfigurationKind; name: string }>;
  readonly #checkIntervalMs: number;
  readonly #retryInitialMs: number;
  readonly #retryMaxMs: number;
  /** How long a replaced CA stays in the caBundles (see ca-bundle-contents.ts). */
  readonly #overlapMs: number;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #listeners = new Set<RotationListener>();
  readonly #stopping = new AbortController();
  #current: ServingCertificate | undefined;
  #loop: Promise<void> | undefined;
  #caWarnedFor: string | undefined;

  /** Throws on invalid settings; talks to no one until start(). */
  constructor(options: CertificateManagerOptions) {
    this.settings = resolveCertificateSettings(options);
    this.#client = kubeClientOf(options.kubeConfig);
    this.#configurations = [
      { kind: 'mutating' as const, name: options.mutatingWebhookConfigurationName },
      { kind: 'validating' as const, name: options.validatingWebhookConfigurationName },
    ].filter((entry): entry is { kind: WebhookConfigurationKind; name: string } => Boolean(entry.name));
    this.#checkIntervalMs = options.checkIntervalMs ?? 60_000;
    this.#retryInitialMs = options.retryInitialMs ?? 1_000;
    this.#retryMaxMs = options.retryMaxMs ?? this.#checkIntervalMs;
    this.#overlapMs = overlapMs(this.#checkIntervalMs, this.#retryMaxMs);
    this.#log = options.logger ?? createLogger('certs');
    this.#now = options.now ?? (() => new Date());
  }

  /** The certificate in use, once start() has resolved. */
  get current(): ServingCertificate | undefined {
    return this.#current;
  }

  /**
   * Starts the loop. Resolves with the first certificate once the Secret is right and a first
   * caBundle injection was tried (retrying with backoff until then); rejects only if stop() comes
   * first. The loop runs (and keeps the process alive) until stop().
   */
  start(): Promise<ServingCertificate> {
    if (this.#loop) throw new Error('CertificateManager.start() was already called');
    const first = Promise.withResolvers<ServingCertificate>();
    first.promise.catch(() => undefined); // a stop() before the first certificate must not be an unhandled rejection
    this.#loop = this.#run(first).catch((error: unknown) => {
      this.#log.error(
        { err: error instanceof Error ? error.message : String(error) },
        'the certificate loop ended unexpectedly',
      );
      first.reject(error);
    });
    return first.promise;
  }

  /** Called with each new serving certificate after the first (which start() returns); returns an unsubscribe. */
  onRotation(listener: RotationListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Ends the loop: no further checks. Waits for a check in progress to finish, but at most
   * `waitMs` (a request to an unreachable apiserver must not hold up a SIGTERM).
   */
  async stop(waitMs = 5_000): Promise<void> {
    this.#stopping.abort();
    if (!this.#loop) return;
    const giveUp = new AbortController();
    await Promise.race([this.#loop, sleep(waitMs, undefined, { signal: giveUp.signal }).catch(() => undefined)]);
    giveUp.abort();
  }

  async #run(first: PromiseWithResolvers<ServingCertificate>): Promise<void> {
    const signal = this.#stopping.signal;
    let failures = 0;
    while (!signal.aborted) {
      let healthy = false;
      try {
        const ensured = await this.#checkSecret();
        const injection = signal.aborted
          ? { complete: true, alreadyCarried: true }
          : await this.#injectCaBundles(ensured);
        const certificate = this.#useOnceTrusted(ensured.bundle, injection.alreadyCarried);
        healthy = injection.complete && certificate.cert === ensured.bundle.serving.cert;
        first.resolve(certificate);
      } catch (error) {
        this.#log.error(
          { err: describeApiError(error), secret: this.#secretRef() },
          'certificate check failed; keeping the certificate in use and retrying',
        );
      }
      failures = healthy ? 0 : failures + 1;
      const delay =
        healthy && this.#current
          ? nextCheckDelayMs(
              this.#now(),
              renewalDueAt(this.#current, this.settings.renewBeforeExpiryFraction),
              this.#checkIntervalMs,
              this.#retryInitialMs,
            )
          : retryDelayMs(failures, this.#retryInitialMs, this.#retryMaxMs);
      try {
        await sleep(delay, undefined, { signal });
      } catch {
        break; // stop() aborted the wait
      }
    }
    first.reject(new Error('the certificate manager was stopped before it had a certificate'));
  }

  async #checkSecret(): Promise<EnsuredCertificates> {
    const ensured = await ensureCertificateSecret(this.#client, this.settings, this.#now);
    if (ensured.outcome !== 'reused') {
      const serving = readCertificateFacts(ensured.bundle.serving.cert);
      this.#log.info(
        {
          outcome: ensured.outcome,
          reason: ensured.reason,
          secret: this.#secretRef(),
          serialNumber: serving.serialNumber,
          notAfter: serving.notAfter,
        },
        'serving certificate from the Secret',
      );
    }
    if (ensured.caNearExpiry) this.#warnCaNearExpiry(ensured.bundle.ca.cert);
    return ensured;
  }

  /**
   * A certificate of another CA than the one in use is served only once the caBundles carried its CA
   * before this check (or the overlap has passed): until then the certificate in use, still
   * trusted, stays, and the next check comes after the first retry delay.
   */
  #useOnceTrusted(bundle: CertificateBundle, alreadyCarried: boolean): ServingCertificate {
    const current = this.#current;
    if (!current || mayServeCertificateOf(bundle.ca.cert, current, alreadyCarried, this.#now(), this.#overlapMs))
      return this.#use(bundle);
    this.#log.warn(
      { secret: this.#secretRef(), serialNumber: current.serialNumber },
      'the Secret has a new CA that the webhook configurations did not carry before this check; serving the certificate of the previous CA until the next check',
    );
    return current;
  }

  /** Makes the bundle the one in use; tells subscribers when the serving certificate changed. */
  #use(bundle: CertificateBundle): ServingCertificate {
    const previous = this.#current;
    if (previous?.cert === bundle.serving.cert) return previous;
    const facts = readCertificateFacts(bundle.serving.cert);
    const next: ServingCertificate = {
      key: bundle.serving.key,
      cert: bundle.serving.cert,
      caCert: bundle.ca.cert,
      serialNumber: facts.serialNumber,
      notBefore: facts.notBefore,
      notAfter: facts.notAfter,
    };
    this.#current = next;
    if (previous) {
      this.#log.info(
        { from: previous.serialNumber, to: next.serialNumber, notAfter: next.notAfter },
        'serving certificate rotated',
      );
      for (const listener of this.#listeners) {
        try {
          listener(next);
        } catch (error) {
          this.#log.error(
            { err: error instanceof Error ? error.message : String(error) },
            'a certificate rotation listener failed',
          );
        }
      }
    }
    return next;
  }

  /**
   * complete: every configured webhook configuration carries the Secret's CA now; alreadyCarried:
   * nothing had to be written or failed (a configuration that does not exist trusts no one yet).
   */
  async #injectCaBundles(ensured: EnsuredCertificates): Promise<{ complete: boolean; alreadyCarried: boolean }> {
    let complete = true;
    let alreadyCarried = true;
    const bundleFor = (carriedPems: readonly string[]): string =>
      pemBundleOf(
        caBundleCertificates({
          secretCaPem: ensured.bundle.ca.cert,
          // The CA of the certificate this replica serves until this injection went through.
          previousCaPems: [
            ...(this.#current ? [this.#current.caCert] : []),
            ...carriedPems.flatMap(certificatesInPemBundle),
          ],
          now: this.#now(),
          overlapMs: this.#overlapMs,
        }),
      );
    for (const { kind, name } of this.#configurations) {
      try {
        const outcome = await injectCaBundle(this.#client, kind, name, bundleFor);
        if (outcome === 'updated') {
          this.#log.info({ kind, name }, 'caBundle injected into the webhook configuration');
          alreadyCarried = false;
        }
        if (outcome === 'absent') {
          this.#log.warn({ kind, name }, 'webhook configuration not found; will inject the caBundle when it exists');
          complete = false;
        }
      } catch (error) {
        this.#log.error({ kind, name, err: describeApiError(error) }, 'caBundle injection failed; retrying');
        complete = false;
        alreadyCarried = false;
      }
    }
    return { complete, alreadyCarried };
  }

  #warnCaNearExpiry(caCert: string): void {
    const ca = readCertificateFacts(caCert);
    if (this.#caWarnedFor === ca.fingerprint256) return;
    this.#caWarnedFor = ca.fingerprint256;
    this.#log.warn(
      { secret: this.#secretRef(), caNotAfter: ca.notAfter },
      'the webhook CA is near its expiry; CA rotation is not automatic: serving certificates end with the CA, after which a new CA is made (delete the Secret to do it sooner)',
    );
  }

  #secretRef(): string {
    return `${this.settings.namespace}/${this.settings.secretName}`;
  }
}
