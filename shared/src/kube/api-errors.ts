// Classifies what the apiserver answered, whatever the client threw.
import { ApiException } from '@kubernetes/client-node';

export function apiStatusCode(error: unknown): number | undefined {
  if (error instanceof ApiException) return error.code;
  return undefined;
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
  if (!(error instanceof ApiException)) return undefined;
  const headers = (error.headers ?? {}) as Record<string, string | undefined>;
  const header = Object.entries(headers).find(([name]) => name.toLowerCase() === 'retry-after')?.[1];
  const fromHeader = header !== undefined && /^\d{1,6}$/.test(header.trim()) ? Number(header.trim()) : undefined;
  let fromBody: number | undefined;
  try {
    const body: unknown = typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
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
  if (error instanceof ApiException) {
    const body: unknown = error.body;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    try {
      const status = JSON.parse(text) as { message?: unknown };
      if (typeof status.message === 'string') return `${error.code}: ${status.message}`;
    } catch {
      // not a Status object
    }
    return `${error.code}: ${text.slice(0, 500)}`;
  }
  return error instanceof Error ? error.message : String(error);
}
