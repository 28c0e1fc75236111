import type { Cookies, RequestEvent } from '@sveltejs/kit';
import { parseString, splitCookiesString } from 'set-cookie-parser';

export interface ApiError {
  code: string;
  message: string;
  fields?: Record<string, string>;
}

export type ApiResult<T> = { ok: true; status: number; data: T } | { ok: false; status: number; error: ApiError };

type Event = Pick<RequestEvent, 'fetch' | 'cookies'>;

/**
 * The API's set-cookie headers reach the browser only through event.cookies (an SSR call's reply
 * is not the browser's), so every call forwards them. Only allowed in actions and hooks.
 */
function forwardCookies(response: Response, cookies: Cookies): void {
  const header = response.headers.get('set-cookie');
  if (!header) return;
  for (const raw of splitCookiesString(header)) {
    const c = parseString(raw, { decodeValues: false });
    if (!c) continue;
    const options = {
      path: c.path ?? '/',
      httpOnly: c.httpOnly ?? false,
      secure: c.secure ?? false,
      sameSite: (c.sameSite?.toLowerCase() as 'lax' | 'strict' | 'none' | undefined) ?? 'lax',
      encode: (v: string) => v
    };
    const expired = c.maxAge === 0 || (c.expires !== undefined && c.expires.getTime() <= Date.now()) || c.value === '';
    if (expired) cookies.delete(c.name, options);
    else cookies.set(c.name, c.value, { ...options, ...(c.maxAge !== undefined ? { maxAge: c.maxAge } : {}) });
  }
}

/** A body passed on as it came (an upload), with its own content type: streamed, never parsed here. */
interface RawBody {
  stream: ReadableStream<Uint8Array>;
  contentType: string;
}

async function call<T>(event: Event, method: string, path: string, body?: unknown, raw?: RawBody): Promise<ApiResult<T>> {
  const init: RequestInit & { duplex?: 'half' } = raw
    ? { method, headers: { 'content-type': raw.contentType }, body: raw.stream, duplex: 'half' }
    : {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body)
      };
  const response = await event.fetch(`/api${path}`, init);
  if (method !== 'GET') {
    try {
      forwardCookies(response, event.cookies);
    } catch {
      // Cookies cannot be set once the page has started streaming (load functions); actions can.
    }
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (response.ok) return { ok: true, status: response.status, data: json as T };
  const error = (json as { error?: ApiError } | null)?.error ?? {
    code: 'unknown',
    message: `The server answered ${response.status}.`
  };
  return { ok: false, status: response.status, error };
}

/** The one API client the pages use (server side: loads and form actions). */
export function api(event: Event) {
  return {
    get: <T>(path: string, query?: Record<string, string | number | undefined | null>) => {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
      const qs = params.toString();
      return call<T>(event, 'GET', qs ? `${path}?${qs}` : path);
    },
    post: <T>(path: string, body: unknown = {}) => call<T>(event, 'POST', path, body),
    patch: <T>(path: string, body: unknown) => call<T>(event, 'PATCH', path, body),
    put: <T>(path: string, body: unknown) => call<T>(event, 'PUT', path, body),
    delete: <T>(path: string) => call<T>(event, 'DELETE', path),
    /** A multipart/form-data upload, streamed on to the API. */
    upload: <T>(path: string, stream: ReadableStream<Uint8Array>, contentType: string) =>
      call<T>(event, 'POST', path, undefined, { stream, contentType }),
    /** A raw response, for downloads (CSV). */
    raw: (path: string) => event.fetch(`/api${path}`)
  };
}
