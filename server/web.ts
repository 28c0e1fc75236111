import type { FastifyInstance } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Config } from './config.ts';
import { INTERNAL_HEADER, INTERNAL_IP_HEADER, INTERNAL_UA_HEADER } from './plugins/requestContext.ts';

/**
 * The built web app. WEB_BUILD_DIR (read by svelte.config.js too) lets a developer build and test a
 * second copy beside web/build without disturbing one that is being served or tested.
 */
export const WEB_HANDLER = process.env.WEB_BUILD_DIR
  ? path.resolve(process.env.WEB_BUILD_DIR, 'handler.js')
  : fileURLToPath(new URL('../web/build/handler.js', import.meta.url));

type NodeHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/** What SvelteKit's server calls to reach the API without a network hop (see hooks.server.ts). */
export type ApiInjector = (request: Request) => Promise<Response>;

const HOP_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);

/** Turns a web Request into app.inject(...) and back into a Response, keeping every set-cookie. */
export function makeInjector(app: FastifyInstance, internalSecret: string, clientIp: string, userAgent: string): ApiInjector {
  return async (request) => {
    const url = new URL(request.url);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => {
      if (!HOP_HEADERS.has(key)) headers[key] = value;
    });
    headers.host = url.host;
    headers[INTERNAL_HEADER] = internalSecret;
    headers[INTERNAL_IP_HEADER] = clientIp;
    headers[INTERNAL_UA_HEADER] = userAgent;
    // A body arrives as a stream (an upload passed on from a form action) and is handed on as one:
    // a 100 MB file is never held in memory here.
    const body = request.method === 'GET' || request.method === 'HEAD' || !request.body ? undefined : request.body;
    const res = await app.inject({
      method: request.method as 'GET',
      url: url.pathname + url.search,
      headers,
      ...(body ? { payload: Readable.fromWeb(body as NodeReadableStream<Uint8Array>) } : {})
    });
    const out = new Headers();
    for (const [key, value] of Object.entries(res.headers)) {
      if (value === undefined || HOP_HEADERS.has(key)) continue;
      if (Array.isArray(value)) value.forEach((v) => out.append(key, v));
      else out.set(key, String(value));
    }
    const empty = res.statusCode === 204 || res.statusCode === 304 || request.method === 'HEAD';
    return new Response(empty ? null : new Uint8Array(res.rawPayload), { status: res.statusCode, headers: out });
  };
}

/** Forms other than the file forms: text only, well under this. */
const SMALL_FORM_BYTES = 1024 * 1024;
/** Forms that carry a file: the resource library, spotlight images, the profile photo. */
const FILE_FORMS = /^\/(resources|spotlights|account\/profile)(\/|\?|$)/;

/**
 * A body too big for the form it is sent to: refused before SvelteKit buffers it (public forms such
 * as sign-in must not be a way to make the server hold 100 MB). Browsers send a length with every
 * form post; a form post without one is only accepted on the file forms.
 */
function tooLargeForm(method: string, url: string, headers: Record<string, string | string[] | undefined>): boolean {
  if (method === 'GET' || method === 'HEAD' || FILE_FORMS.test(url)) return false;
  const length = Number(headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(length)) return length > SMALL_FORM_BYTES;
  return headers['transfer-encoding'] !== undefined;
}

/**
 * Mounts the SvelteKit app (adapter-node output) as the catch-all route, in its own encapsulated
 * plugin: no body parsing (form actions read the raw body), the reply hijacked, and an injector on
 * req.raw so server loads call the API in-process.
 */
export async function mountWeb(app: FastifyInstance, config: Config, internalSecret: string): Promise<boolean> {
  if (!existsSync(WEB_HANDLER)) return false;
  // adapter-node reads ORIGIN at import; without it, it assumes https and refuses http form posts.
  process.env.ORIGIN = config.publicOrigin;
  process.env.TFC_SITE_NAME = config.siteName;
  // SvelteKit refuses form bodies over BODY_SIZE_LIMIT (512 KB by default); a resource shared without
  // JavaScript is a form post of up to UPLOAD_MAX_MB, streamed on to the API. Every other form is held
  // to SMALL_FORM_BYTES below, before SvelteKit reads a byte.
  process.env.BODY_SIZE_LIMIT ??= String(config.uploadMaxBytes + 1024 * 1024);
  const { handler } = (await import(pathToFileURL(WEB_HANDLER).href)) as { handler: NodeHandler };
  await app.register(async (web) => {
    web.removeAllContentTypeParsers();
    web.addContentTypeParser('*', (_req, _payload, done) => done(null));
    web.route({
      method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      url: '/*',
      config: { access: 'public' },
      handler: (request, reply) => {
        if (tooLargeForm(request.method, request.url, request.headers)) {
          return reply
            .status(413)
            .type('text/plain; charset=utf-8')
            .send('This form sent more than a form can hold. Go back and shorten what you typed.');
        }
        reply.hijack();
        const raw = request.raw as IncomingMessage & { tfcInject?: ApiInjector };
        raw.tfcInject = makeInjector(app, internalSecret, request.clientIp, request.headers['user-agent'] ?? '');
        handler(raw, reply.raw, () => {
          reply.raw.statusCode = 404;
          reply.raw.end('Not found');
        });
      }
    });
  });
  return true;
}
