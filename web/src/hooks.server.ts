import type { Handle, HandleFetch } from '@sveltejs/kit';
import { api } from '$lib/server/api';

/** Under `vite dev` there is no in-process injector: the API runs separately (npm run dev). */
const API_ORIGIN = process.env.API_ORIGIN ?? 'http://127.0.0.1:3000';

export const handle: Handle = async ({ event, resolve }) => {
  const me = await api(event).get<{ member: App.Member }>('/me');
  event.locals.member = me.ok ? me.data.member : null;
  const response = await resolve(event);
  response.headers.set('X-Content-Type-Options', 'nosniff');
  // same-origin, not no-referrer: with no-referrer Chromium sends `Origin: null` on plain form posts,
  // and SvelteKit's CSRF check then refuses every form when JavaScript is off.
  response.headers.set('Referrer-Policy', 'same-origin');
  response.headers.set('X-Frame-Options', 'DENY');
  response.headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  response.headers.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
  if (event.url.protocol === 'https:') {
    response.headers.set('Strict-Transport-Security', 'max-age=63072000; includeSubDomains');
  }
  // Pages are personal and change with every action: never cache them.
  if (!event.url.pathname.startsWith('/_app/')) response.headers.set('Cache-Control', 'no-store');
  return response;
};

/** Same-origin /api calls made while rendering go to Fastify in-process (see server/web.ts). */
export const handleFetch: HandleFetch = async ({ event, request, fetch }) => {
  const url = new URL(request.url);
  if (url.origin !== event.url.origin || !url.pathname.startsWith('/api/')) return fetch(request);
  const cookie = event.cookies
    .getAll()
    .filter((c) => c.value !== '')
    .map((c) => `${c.name}=${c.value}`)
    .join('; ');
  const headers = new Headers(request.headers);
  if (cookie) headers.set('cookie', cookie);
  else headers.delete('cookie');
  const ua = event.request.headers.get('user-agent');
  if (ua) headers.set('user-agent', ua);
  const inject = event.platform?.req?.tfcInject;
  // Bodies pass on as streams (an upload is never held whole in memory).
  const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : request.body;
  const init = { method: request.method, headers, body, duplex: 'half' } as RequestInit;
  if (inject) return inject(new Request(request.url, init));
  return fetch(new Request(API_ORIGIN + url.pathname + url.search, init));
};
