import { error, redirect } from '@sveltejs/kit';
import { text } from '$lib/forms';
import type { RequestHandler } from './$types';

/**
 * A plain form POST (an export is audited, so never a GET) whose answer is the CSV download itself;
 * the body is streamed through rather than held in memory.
 */
export const POST: RequestHandler = async (event) => {
  const data = await event.request.formData();
  const filters: Record<string, string> = {};
  for (const key of ['actor', 'action', 'from', 'to']) {
    const value = text(data, key).trim();
    if (value) filters[key] = value;
  }
  const response = await event.fetch('/api/admin/audit/export', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(filters)
  });
  if (!response.ok) {
    // The audit page explains a filter the API refused; anything else is an error page.
    if (response.status === 400) redirect(303, `/admin/audit?${new URLSearchParams(filters).toString()}`);
    const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
    error(response.status >= 400 ? response.status : 500, body?.error?.message ?? 'The export did not work. Please try again.');
  }
  return new Response(response.body, {
    status: 200,
    headers: {
      'content-type': response.headers.get('content-type') ?? 'text/csv; charset=utf-8',
      'content-disposition': response.headers.get('content-disposition') ?? 'attachment; filename="audit-log.csv"',
      'cache-control': 'no-store'
    }
  });
};
