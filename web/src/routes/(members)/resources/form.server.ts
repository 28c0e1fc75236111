import { fail } from '@sveltejs/kit';
import type { ApiError } from '$lib/server/api';
import type { PrivacyFinding } from '$lib/discussions';
import { EMPTY_VALUES, type ResourceValues } from '$lib/components/resources/resources';

/**
 * The share and edit forms: their fields (as FormData, or as the text fields read off a streamed
 * upload) turned into what the API takes, and the one shape a refused form comes back in.
 */

export interface ResourceOutcome {
  scope: 'resource' | 'version' | 'recommend' | 'report' | 'delete';
  message?: string;
  success?: string;
  fields?: Record<string, string>;
  values?: ResourceValues;
  findings?: PrivacyFinding[];
  /** The member has to choose the file again (a browser never refills a file input). */
  fileLost?: boolean;
}

type Pairs = [string, string][];

export function pairsOf(data: FormData): Pairs {
  const pairs: Pairs = [];
  for (const [key, value] of data.entries()) if (typeof value === 'string') pairs.push([key, value]);
  return pairs;
}

const first = (pairs: Pairs, name: string) => pairs.find(([k]) => k === name)?.[1] ?? '';
const every = (pairs: Pairs, name: string) => pairs.filter(([k]) => k === name).map(([, v]) => v);

export function valuesFrom(pairs: Pairs): ResourceValues {
  return {
    ...EMPTY_VALUES,
    title: first(pairs, 'title'),
    description: first(pairs, 'description'),
    type: first(pairs, 'type'),
    tags: first(pairs, 'tags'),
    kind: first(pairs, 'kind') === 'link' ? 'link' : 'file',
    url: first(pairs, 'url'),
    audience: first(pairs, 'audience') === 'restricted' ? 'restricted' : 'all',
    taskForceIds: every(pairs, 'taskForceIds'),
    disciplines: every(pairs, 'disciplines'),
    originTaskForceId: first(pairs, 'originTaskForceId')
  };
}

/** Ticked "I confirm…" after the privacy check asked. */
export const confirmedPrivacy = (pairs: Pairs) => first(pairs, 'confirmPrivacy') === 'yes';

export function tagList(tags: string): string[] {
  return tags
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}

const ids = (values: string[]) => values.filter((v) => /^\d{1,10}$/.test(v)).map(Number);

/** The JSON body for a link resource or an edit (the API validates every field and names what is wrong). */
export function jsonBody(values: ResourceValues, confirm: boolean, withUrl: boolean) {
  const restricted = values.audience === 'restricted';
  return {
    title: values.title,
    description: values.description,
    type: values.type,
    tags: tagList(values.tags),
    ...(withUrl ? { url: values.url.trim() } : {}),
    audience: restricted ? 'restricted' : 'all',
    taskForceIds: restricted ? ids(values.taskForceIds) : [],
    disciplines: restricted ? values.disciplines : [],
    originTaskForceId: /^\d{1,10}$/.test(values.originTaskForceId) ? Number(values.originTaskForceId) : null,
    ...(confirm ? { confirmPrivacy: true } : {})
  };
}

/** The text fields of a file upload, in the multipart form the API takes (the file part follows them). */
export function multipartFields(values: ResourceValues, confirm: boolean): Pairs {
  const restricted = values.audience === 'restricted';
  return [
    ['title', values.title],
    ['description', values.description],
    ['type', values.type],
    ['tags', tagList(values.tags).join(',')],
    ['audience', restricted ? 'restricted' : 'all'],
    ...(restricted ? ids(values.taskForceIds).map((id): [string, string] => ['taskForceIds', String(id)]) : []),
    ...(restricted ? values.disciplines.map((d): [string, string] => ['disciplines', d]) : []),
    ['originTaskForceId', /^\d{1,10}$/.test(values.originTaskForceId) ? values.originTaskForceId : ''],
    ...(confirm ? [['confirmPrivacy', 'true'] as [string, string]] : [])
  ];
}

/** An API error as the form's outcome; the privacy guard's 422 keeps its findings so the page can ask to confirm. */
export function refused(
  scope: ResourceOutcome['scope'],
  result: { status: number; error: ApiError },
  values?: ResourceValues,
  fileLost = false
) {
  const findings = (result.error as ApiError & { findings?: PrivacyFinding[] }).findings;
  const privacy = result.error.code === 'privacy_check' && Array.isArray(findings);
  return fail(result.status, {
    scope,
    message: result.error.message,
    fields: result.error.fields ?? {},
    values,
    findings: privacy ? findings : undefined,
    fileLost
  } satisfies ResourceOutcome);
}

export function refuse(scope: ResourceOutcome['scope'], status: number, message: string, extra: Partial<ResourceOutcome> = {}) {
  return fail(status, { scope, message, ...extra } satisfies ResourceOutcome);
}
