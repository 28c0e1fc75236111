import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { api, type ApiError } from '$lib/server/api';
import { idFrom, type PrivacyFinding } from '$lib/discussions';
import { isKind, type Spotlight } from '$lib/components/spotlights/spotlights';
import { EMPTY_SPOTLIGHT_VALUES, type SpotlightOutcome, type SpotlightValues } from '$lib/components/spotlights/form';
import { parseFindings } from '../discussions/actions.server';

/**
 * The write and edit forms share these actions: save, preview, find a member or a resource to
 * feature, and add an image. Every button posts the whole form, so nothing typed is lost without
 * JavaScript either (the outcome brings the values back).
 */

type Event = Pick<RequestEvent, 'fetch' | 'cookies' | 'request'>;

const field = (data: FormData, name: string) => {
  const value = data.get(name);
  return typeof value === 'string' ? value : '';
};

function labelFor(data: FormData, list: string, id: string): string | null {
  if (!id) return null;
  for (const entry of data.getAll(list)) {
    if (typeof entry === 'string' && entry.startsWith(`${id}|`)) return entry.slice(id.length + 1).slice(0, 300);
  }
  return null;
}

export function valuesOf(data: FormData): SpotlightValues {
  const values = { ...EMPTY_SPOTLIGHT_VALUES };
  for (const key of Object.keys(values) as (keyof SpotlightValues)[]) values[key] = field(data, key);
  // The chosen member's / resource's name travels beside each radio, so the choice is shown by name after any button.
  values.featuredMemberName = labelFor(data, 'memberNames', values.featuredMemberId) ?? values.featuredMemberName;
  values.featuredResourceTitle = labelFor(data, 'resourceTitles', values.featuredResourceId) ?? values.featuredResourceTitle;
  return values;
}

/** The form's values for an existing spotlight (the edit page's starting point). */
export function valuesFromSpotlight(s: Spotlight): SpotlightValues {
  return {
    ...EMPTY_SPOTLIGHT_VALUES,
    kind: s.kind,
    title: s.title,
    summary: s.summary,
    body: s.body,
    featuredMemberId: s.featured.member ? String(s.featured.member.id) : '',
    featuredMemberName: s.featured.member?.displayName ?? '',
    featuredTaskForceId: s.featured.taskForce ? String(s.featured.taskForce.id) : '',
    featuredResourceId: s.featured.resource ? String(s.featured.resource.id) : '',
    featuredResourceTitle: s.featured.resource?.title ?? '',
    partnerName: s.featured.partner?.name ?? '',
    partnerUrl: s.featured.partner?.url ?? '',
    week: s.week ?? ''
  };
}

const outcome = (status: number, o: SpotlightOutcome) => fail(status, o);

function refused(result: { status: number; error: ApiError }, values: SpotlightValues) {
  const findings = (result.error as ApiError & { findings?: PrivacyFinding[] }).findings;
  const privacy = result.error.code === 'privacy_check' && Array.isArray(findings);
  return outcome(result.status, {
    message: result.error.message,
    fields: privacy ? {} : (result.error.fields ?? {}),
    values,
    findings: privacy ? findings : undefined
  });
}

/** What the API takes from the form; only the fields the kind uses are sent. */
function bodyOf(values: SpotlightValues, confirmed: boolean) {
  const kind = values.kind;
  return {
    kind,
    title: values.title,
    summary: values.summary,
    body: values.body,
    featuredMemberId: kind === 'member' ? idFrom(values.featuredMemberId) : null,
    featuredTaskForceId: kind === 'task_force' ? idFrom(values.featuredTaskForceId) : null,
    featuredResourceId: kind === 'resource' ? idFrom(values.featuredResourceId) : null,
    partnerName: kind === 'partner' ? values.partnerName.trim() || null : null,
    partnerUrl: kind === 'partner' ? values.partnerUrl.trim() || null : null,
    ...(confirmed ? { confirmPrivacy: true } : {})
  };
}

const WEEK = /^\d{4}-\d{2}-\d{2}$/;

/** Checks the web can make before asking the API (the API checks everything again). */
function precheck(values: SpotlightValues, data: FormData) {
  const fields: Record<string, string> = {};
  if (!isKind(values.kind)) fields.kind = 'Choose what the spotlight is about.';
  if (values.kind === 'member' && !idFrom(values.featuredMemberId))
    fields.featuredMemberId = 'Find the member by name and choose them.';
  if (values.kind === 'task_force' && !idFrom(values.featuredTaskForceId)) fields.featuredTaskForceId = 'Choose the task force.';
  if (values.kind === 'resource' && !idFrom(values.featuredResourceId))
    fields.featuredResourceId = 'Find the resource by its title and choose it.';
  if (values.week && !WEEK.test(values.week)) fields.week = 'Give the week as a date, for example 2026-03-09.';
  if (field(data, 'intent') === 'confirm' && field(data, 'confirmPrivacy') !== 'yes')
    fields.confirmPrivacy = 'Tick the box to confirm the text contains no victim-identifying information, or edit it.';
  if (Object.keys(fields).length === 0) return null;
  return outcome(400, {
    message: 'Check the fields marked below.',
    fields,
    values,
    findings: fields.confirmPrivacy ? parseFindings(field(data, 'findings')) : undefined
  });
}

/** Schedules into `week` (or takes it out of its week when empty) when it differs from `current`. */
async function applyWeek(event: Event, id: number, week: string, current: string | null) {
  if ((current ?? '') === week) return null;
  const client = api(event);
  return week
    ? client.post<Spotlight>(`/spotlights/${id}/schedule`, { week })
    : client.post<Spotlight>(`/spotlights/${id}/unschedule`, {});
}

/** Save (create when `existing` is null). Ends on the spotlight's page. */
export async function saveAction(event: Event, existing: Spotlight | null) {
  const data = await event.request.formData();
  const values = valuesOf(data);
  const early = precheck(values, data);
  if (early) return early;
  const confirmed = field(data, 'confirmPrivacy') === 'yes';
  const client = api(event);
  const saved = existing
    ? await client.patch<Spotlight>(`/spotlights/${existing.id}`, bodyOf(values, confirmed))
    : await client.post<Spotlight>('/spotlights', {
        ...bodyOf(values, confirmed),
        ...(values.week ? { week: values.week } : {})
      });
  if (!saved.ok) return refused(saved, values);
  // A new spotlight is scheduled with its creation (one call: a refused week creates nothing).
  const scheduled = existing ? await applyWeek(event, saved.data.id, values.week, existing.week) : null;
  if (scheduled && !scheduled.ok) {
    // The text is saved; only the week was refused (taken, or already over): say so on the edit page.
    return outcome(scheduled.status, {
      message: `The spotlight was saved, but not scheduled: ${scheduled.error.message}`,
      fields: { week: scheduled.error.fields?.week ?? scheduled.error.message },
      values: { ...values, week: saved.data.week ?? '' },
      savedId: saved.data.id
    });
  }
  redirect(303, `/spotlights/${saved.data.id}?saved=1`);
}

/** Exactly what saving would show (the server's own rendering, images included). */
export async function previewAction(event: Event) {
  const data = await event.request.formData();
  const values = valuesOf(data);
  const result = await api(event).post<{ html: string }>('/spotlights/preview', { body: values.body });
  if (!result.ok) return refused(result, values);
  return { values, preview: result.data.html } satisfies SpotlightOutcome;
}

/** "Find member": active members by name, to choose the featured one (a plain form round trip). */
export async function findMemberAction(event: Event) {
  const data = await event.request.formData();
  const values = valuesOf(data);
  const q = values.memberQuery.trim();
  if (!q) {
    const message = 'Type part of the member’s name, then choose Find member.';
    return outcome(400, { message, fields: { memberQuery: message }, values });
  }
  const result = await api(event).get<{ members: { id: number; name: string; taskForceName: string | null }[] }>(
    '/spotlights/member-options',
    { q: q.slice(0, 100), limit: 20 }
  );
  if (!result.ok) return refused(result, values);
  return {
    values,
    memberOptions: result.data.members,
    success: result.data.members.length === 0 ? `No active member matches “${q}”.` : undefined
  } satisfies SpotlightOutcome;
}

/** "Find resource": resources every member can read are the ones the API accepts; the list shows what the editor may see. */
export async function findResourceAction(event: Event) {
  const data = await event.request.formData();
  const values = valuesOf(data);
  const q = values.resourceQuery.trim();
  if (!q) {
    const message = 'Type words from the resource’s title, then choose Find resource.';
    return outcome(400, { message, fields: { resourceQuery: message }, values });
  }
  const result = await api(event).get<{ resources: { id: number; title: string }[] }>('/resources', {
    q: q.slice(0, 300),
    limit: 20
  });
  if (!result.ok) return refused(result, values);
  const resourceOptions = result.data.resources.map((r) => ({ id: r.id, title: r.title }));
  return {
    values,
    resourceOptions,
    success: resourceOptions.length === 0 ? `No resource matches “${q}”.` : undefined
  } satisfies SpotlightOutcome;
}

/**
 * "Add image": the image goes to the library's image store; the Markdown that shows it is added to
 * the end of the body (and shown, to paste elsewhere). The alt text is required: it is what a
 * screen reader says.
 */
export async function imageAction(event: Event) {
  const data = await event.request.formData();
  const values = valuesOf(data);
  const alt = values.imageAlt.trim().replace(/[[\]\n\r]/g, ' ');
  const file = data.get('image');
  const fields: Record<string, string> = {};
  if (!(file instanceof File) || file.size === 0) fields.image = 'Choose the image file (PNG, JPEG or WebP).';
  if (!alt) fields.imageAlt = 'Describe the image for members who cannot see it.';
  if (Object.keys(fields).length > 0 || !(file instanceof File))
    return outcome(400, { message: 'The image was not added: check the fields marked below.', fields, values });
  const upload = new FormData();
  upload.set('file', file, file.name || 'image');
  // A Request serialises the FormData as multipart with its boundary: the API client streams it on.
  const request = new Request('http://localhost/', { method: 'POST', body: upload });
  const result = await api(event).upload<{ image: { id: number; url: string } }>(
    '/images?purpose=spotlight',
    request.body!,
    request.headers.get('content-type') ?? 'multipart/form-data'
  );
  if (!result.ok) {
    const message = result.error.fields?.file ?? result.error.message;
    return outcome(result.status, { message: `The image was not added: ${message}`, fields: { image: message }, values });
  }
  const snippet = `![${alt}](${result.data.image.url})`;
  const body = values.body.trimEnd();
  return {
    values: { ...values, body: body ? `${body}\n\n${snippet}\n` : `${snippet}\n`, imageAlt: '' },
    imageSnippet: snippet,
    success: `Image added at the end of the body as ${snippet}`
  } satisfies SpotlightOutcome;
}

export async function loadForEdit(event: Pick<RequestEvent, 'fetch' | 'cookies'>, id: number) {
  const result = await api(event).get<Spotlight>(`/spotlights/${id}`);
  return result.ok ? result.data : null;
}
