import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './support/server.ts';

/**
 * The web app accepts form bodies up to UPLOAD_MAX_MB so a resource can be shared without
 * JavaScript; every other form (sign-in above all: it is public) is held to 1 MB before SvelteKit
 * reads a byte, so nobody can make the server hold 100 MB per request.
 */
function postOnce(origin: string, path: string, body: Buffer, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const req = request(`${origin}${path}`, { method: 'POST', headers: { origin, ...headers } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    // Answered before the body is read, the connection may be reset under the client's feet before
    // it reads the answer: that try saw nothing (0) and is repeated.
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

async function post(origin: string, path: string, body: Buffer, headers: Record<string, string>): Promise<number> {
  let status = 0;
  for (let attempt = 0; attempt < 4 && status === 0; attempt++) status = await postOnce(origin, path, body, headers);
  return status;
}

describe('form body limits in the web app', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const form = (bytes: number) => Buffer.from(`email=a%40example.org&password=${'x'.repeat(bytes)}`);

  it('refuses a 2 MB post to the public sign-in form with 413, before reading it', async () => {
    const status = await post(server.origin, '/sign-in', form(2 * 1024 * 1024), {
      'content-type': 'application/x-www-form-urlencoded'
    });
    expect(status).toBe(413);
  });

  it('refuses a chunked post of unknown length to a text form', async () => {
    const status = await post(server.origin, '/sign-in', form(1000), {
      'content-type': 'application/x-www-form-urlencoded',
      'transfer-encoding': 'chunked'
    });
    expect(status).toBe(413);
  });

  it('lets an ordinary sign-in form through to SvelteKit (it answers, not the size check)', async () => {
    const status = await post(server.origin, '/sign-in', form(20), { 'content-type': 'application/x-www-form-urlencoded' });
    expect(status).toBeGreaterThanOrEqual(200);
    expect(status).not.toBe(413);
    expect(status).toBeLessThan(500);
  });
});
