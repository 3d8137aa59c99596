// Classifies what the apiserver answered, whatever the client threw: the components' KubeClient
// throws KubeApiError; client-node's ApiException (the CLI, tests) has the same three fields, so
// both are read by shape, with no run-time import of client-node.

/** An HTTP answer other than 2xx: its status code, its body (a Status object as text) and its headers. */
export class KubeApiError extends Error {
  readonly code: number;
  readonly body: string;
  readonly headers: Record<string, string>;

  constructor(code: number, message: string, body: string, headers: Record<string, string>) {
    super(message);
    this.name = 'KubeApiError';
    this.code = code;
    this.body = body;
    this.headers = headers;
  }
}

interface ApiErrorShape {
  readonly code: number;
  readonly body: unknown;
  readonly headers?: unknown;
}

function asApiError(error: unknown): ApiErrorShape | undefined {
  if (!(error instanceof Error) || !('body' in error) || !('code' in error)) return undefined;
  return typeof error.code === 'number' ? (error as ApiErrorShape) : undefined;
}

export function apiStatusCode(error: unknown): number | undefined {
  return asApiError(error)?.code;
}

export const isNotFound = (error: unknown): boolean => apiStatusCode(error) === 404;
export const isConflict = (error: unknown): boolean => apiStatusCode(error) === 409;
export const isAlreadyExists = isConflict;
export const isGone = (error: unknown): boolean => apiStatusCode(error) === 410;

/**
 * How long the apiserver asks the client to hold off: its Retry-After header (seconds), else the
 * Status body's details.retryAfterSeconds. Undefined when it said nothing.
 */
export function retryAfterMs(error: unknown): number | undefined {
  const apiError = asApiError(error);
  if (apiError === undefined) return undefined;
  const headers = (apiError.headers ?? {}) as Record<string, string | undefined>;
  const header = Object.entries(headers).find(([name]) => name.toLowerCase() === 'retry-after')?.[1];
  const fromHeader = header !== undefined && /^\d{1,6}$/.test(header.trim()) ? Number(header.trim()) : undefined;
  let fromBody: number | undefined;
  try {
    const body: unknown = typeof apiError.body === 'string' ? JSON.parse(apiError.body) : apiError.body;
    const seconds = (body as { details?: { retryAfterSeconds?: unknown } } | null)?.details?.retryAfterSeconds;
    if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0) fromBody = seconds;
  } catch {
    // not a Status object
  }
  const seconds = fromHeader ?? fromBody;
  return seconds === undefined ? undefined : seconds * 1000;
}

/** The apiserver's own message (from the Status body) or the error text, for logs and Events. */
export function describeApiError(error: unknown): string {
  const apiError = asApiError(error);
  if (apiError !== undefined) {
    const body: unknown = apiError.body;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    try {
      const status = JSON.parse(text) as { message?: unknown };
      if (typeof status.message === 'string') return `${apiError.code}: ${status.message}`;
    } catch {
      // not a Status object
    }
    return `${apiError.code}: ${text.slice(0, 500)}`;
  }
  return error instanceof Error ? error.message : String(error);
}
