// One HTTPS POST of a JSON body, answer parsed: a sanity check before a server is put under load.
import { request } from 'node:https';

export function postJson(url: string, body: string, ca: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', ca, headers: { 'content-type': 'application/json' }, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('end', () => {
          try {
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown,
            });
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.once('timeout', () => req.destroy(new Error(`no answer from ${url} within 10 s`)));
    req.end(body);
  });
}
