// Answers to "what labels does namespace X have?" for namespaces the informer cache does not hold:
// each is asked of the apiserver once, and the answer (found, not found, or failed) is kept
// briefly, so a stream of reviews for an unknown namespace costs one GET, not one per review.
// Concurrent questions about one namespace share one GET; beyond a few GETs at once (reviews
// for many made-up namespaces) the rest are judged without the labels, as after a timeout.

type Labels = Readonly<Record<string, string>>;

export interface NamespaceAnswersOptions {
  /** The apiserver's answer: the labels, or null (not found, failed or timed out). */
  readonly read: (name: string) => Promise<Labels | null>;
  readonly now: () => number;
  /** How long an answer is kept (default 5 s). */
  readonly ttlMs?: number | undefined;
  /** Answers kept at most; the oldest go first (default 1,000). */
  readonly maxEntries?: number | undefined;
  /** GETs in flight at most (default 4). */
  readonly maxInFlight?: number | undefined;
}

/** A namespace name is a DNS label (RFC 1123): anything else cannot exist and is not looked up. */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function createNamespaceAnswers(options: NamespaceAnswersOptions): (name: string) => Promise<Labels | null> {
  const ttlMs = options.ttlMs ?? 5_000;
  const maxEntries = options.maxEntries ?? 1_000;
  const maxInFlight = options.maxInFlight ?? 4;
  const answers = new Map<string, { readonly labels: Labels | null; readonly expires: number }>();
  const inFlight = new Map<string, Promise<Labels | null>>();

  function remember(name: string, labels: Labels | null): void {
    answers.delete(name);
    answers.set(name, { labels, expires: options.now() + ttlMs });
    // A Map iterates in insertion order: the first key is the oldest answer.
    while (answers.size > maxEntries) answers.delete(answers.keys().next().value as string);
  }

  return (name) => {
    if (!NAMESPACE_NAME.test(name)) return Promise.resolve(null);
    const known = answers.get(name);
    if (known !== undefined) {
      if (known.expires > options.now()) return Promise.resolve(known.labels);
      answers.delete(name);
    }
    const pending = inFlight.get(name);
    if (pending !== undefined) return pending;
    if (inFlight.size >= maxInFlight) return Promise.resolve(null);
    const read = options
      .read(name)
      .catch(() => null)
      .then((labels) => {
        remember(name, labels);
        return labels;
      })
      .finally(() => inFlight.delete(name));
    inFlight.set(name, read);
    return read;
  };
}
