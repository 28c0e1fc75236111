import { error } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import type { PageServerLoad } from './$types';

interface AuditEntry {
  id: number;
  at: number;
  actorId: number | null;
  actorEmail: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: 'success' | 'failure';
  ip: string;
  userAgent: string;
  detail: Record<string, unknown> | null;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The filters as typed, and the first one the API would refuse, in plain words. */
function readFilters(params: URLSearchParams) {
  const filters = {
    actor: (params.get('actor') ?? '').trim(),
    action: (params.get('action') ?? '').trim(),
    from: params.get('from') ?? '',
    to: params.get('to') ?? ''
  };
  const fields: Record<string, string> = {};
  if (filters.actor.length > 254) fields.actor = 'Enter at most 254 characters.';
  if (filters.action.length > 64 || !/^[a-z_.]*$/.test(filters.action))
    fields.action = 'Use lower-case letters, dots and underscores only, like member.suspended.';
  if (filters.from && !DAY.test(filters.from)) fields.from = 'Enter the date as YYYY-MM-DD.';
  if (filters.to && !DAY.test(filters.to)) fields.to = 'Enter the date as YYYY-MM-DD.';
  return { filters, fields };
}

export const load: PageServerLoad = async (event) => {
  const { filters, fields } = readFilters(event.url.searchParams);
  const beforeParam = event.url.searchParams.get('before') ?? '';
  const before = /^\d{1,15}$/.test(beforeParam) ? beforeParam : undefined;
  const base = { filters, paged: before !== undefined, entries: [] as AuditEntry[], next: null as number | null };
  if (Object.keys(fields).length > 0) return { ...base, message: Object.values(fields)[0]!, fields };
  const result = await api(event).get<{ entries: AuditEntry[]; next: number | null }>('/admin/audit', {
    ...filters,
    before,
    limit: 50
  });
  if (!result.ok) {
    // A filter the API refuses (a date that does not exist) is the member's to fix, not an error page.
    if (result.status === 400) return { ...base, message: result.error.message, fields: result.error.fields ?? {} };
    error(result.status >= 400 ? result.status : 500, result.error.message);
  }
  return { ...base, entries: result.data.entries, next: result.data.next, message: null, fields: {} };
};
