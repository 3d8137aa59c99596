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
