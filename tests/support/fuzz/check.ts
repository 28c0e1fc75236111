import type { LightMyRequestResponse } from 'fastify';
import type { RouteInfo } from '../../../server/app.ts';
import { can, type Action, type Actor } from '../../../server/policies/index.ts';
import { BODY_LIMIT, contentType, isSafe, originPasses, routerMayRefuse, type FuzzRequest } from './request.ts';

/** What an error reply must never carry: stack frames, SQL engine text, file paths. */
const LEAKS: readonly RegExp[] = [
  /\n\s+at \S/,
  /\bat \S+ \([^)]*:\d+:\d+\)/,
  /\.(?:ts|js|mjs|cjs):\d+:\d+/,
  /SQLITE_/,
  /node_modules/,
  /no such (?:table|column|function)/i,
  /fts5:/i,
  /syntax error/i,
  /\b(?:SELECT|INSERT INTO|UPDATE|DELETE FROM)\b[\s\S]{0,200}\b(?:FROM|WHERE|VALUES|SET)\b/
];

/** Successful replies that are not JSON on purpose. */
const NON_JSON_SUCCESS: Record<string, RegExp> = {
  'POST /api/admin/audit/export': /^text\/csv\b/
};

function requestText(req: FuzzRequest): string {
  let url = req.url;
  try {
    url = decodeURIComponent(req.url);
  } catch {
    // Malformed escapes are part of the fuzz; compare the raw form.
  }
  return [url, req.url, req.body.text ?? '', ...Object.values(req.headers)].join('\n');
}

/** Everything wrong with this reply to this request; empty when it is fine. */
export function problemsWith(route: RouteInfo, req: FuzzRequest, res: LightMyRequestResponse, actor: Actor | null): string[] {
  const problems: string[] = [];
  const status = res.statusCode;
  const type = String(res.headers['content-type'] ?? '');
  const body = res.body;
  const sent = requestText(req);

  if (status >= 500) problems.push(`server error ${status}`);
  for (const leak of LEAKS) {
    const match = body.match(leak);
    // The reply may quote what we sent (an unknown field's name): that is an echo, not a leak.
    if (match && !sent.includes(match[0])) problems.push(`reply leaks internals (${leak}): …${match[0].slice(0, 120)}…`);
  }

  const key = `${route.method} ${route.url}`;
  const expectedType = status < 300 && NON_JSON_SUCCESS[key] ? NON_JSON_SUCCESS[key]! : /^application\/json\b/;
  if (!expectedType.test(type)) problems.push(`Content-Type ${JSON.stringify(type)} is not ${expectedType}`);

  let parsed: unknown;
  if (/^application\/json\b/.test(type)) {
    try {
      parsed = JSON.parse(body);
    } catch {
      problems.push('reply says JSON but does not parse');
    }
  }
  if (status >= 400) {
    const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    if (typeof error?.code !== 'string' || !error.code) problems.push('error reply has no error.code');
    if (typeof error?.message !== 'string' || !error.message.trim()) problems.push('error reply has no error.message');
    if (status === 429 && !res.headers['retry-after']) problems.push('429 without Retry-After');
  }
  const code = (parsed as { error?: { code?: string } } | undefined)?.error?.code;

  // Turned away by the router (bad encoding, overlong parameter): no hook or route ran, so nothing below applies.
  if (routerMayRefuse(req) && (status === 400 || status === 414)) return problems;

  // Refused requests: exact statuses where the contract is unambiguous.
  if (!originPasses(req)) {
    if (status !== 403) problems.push(`a state-changing request with a foreign Origin got ${status}, not 403`);
    return problems;
  }
  const bodyParsed = !isSafe(req.method) && req.method !== 'DELETE' && contentType(req) === 'application/json';
  if (bodyParsed && req.body.kind === 'huge' && Buffer.byteLength(req.body.text ?? '') > BODY_LIMIT && status !== 413) {
    problems.push(`a ${Buffer.byteLength(req.body.text ?? '')}-byte body got ${status}, not 413`);
  }
  if (bodyParsed && req.body.kind === 'proto' && status !== 400) {
    problems.push(`a prototype-poisoning body got ${status}, not 400`);
  }

  // Who may call the route is decided before the input is looked at (server/plugins/auth.ts).
  if (route.access !== 'public' && !(actor && can(actor, route.access as Action))) {
    if (status < 400)
      problems.push(`${actor ? `a ${actor.role} who may not ${route.access}` : 'a signed-out caller'} got ${status}`);
    if (code === 'invalid')
      problems.push('an unauthorized caller got a validation error: the schema is described before access is checked');
  }
  return problems;
}
