// Structured JSON logs (pino) on stdout. Private keys, tokens and Secret data never reach a log:
// the paths below are redacted wherever they appear in a logged object.
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

export const redactedPaths = [
  'key',
  '*.key',
  'tlsKey',
  '*.tlsKey',
  'caKey',
  '*.caKey',
  'private',
  '*.private',
  'data',
  '*.data',
  'stringData',
  '*.stringData',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
];

export function createLogger(component: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { component },
    redact: { paths: redactedPaths, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
