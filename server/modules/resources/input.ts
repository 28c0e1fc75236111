import { DISCIPLINES, RESOURCE_TYPES, type Discipline, type ResourceType } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import { moderates } from '../../policies/discussions.ts';
import { Invalid } from '../../shared/errors.ts';
import { PrivacyCheckRequired, type PrivacyFinding } from '../../shared/privacyGuard.ts';
import { privacyFindings, renderStored } from '../discussions/compose.ts';
import { all, idList } from '../discussions/sql.ts';
import { normaliseTags } from './tags.ts';

/** What a member sends when sharing or editing a resource (JSON, or multipart fields turned into this). */
export interface ResourceInput {
  title: string;
  description?: string;
  type: ResourceType;
  tags?: string[];
  url?: string | null;
  /** 'all': every member; 'restricted': only the task forces and disciplines named. */
  audience?: 'all' | 'restricted';
  taskForceIds?: number[];
  disciplines?: Discipline[];
  originTaskForceId?: number | null;
  confirmPrivacy?: boolean;
}

export interface Audience {
  taskForceIds: number[];
  disciplines: Discipline[];
}

export interface ValidInput {
  title: string;
  description: string;
  html: string;
  text: string;
  type: ResourceType;
  tags: string[];
  url: string | null;
  audience: Audience;
  originTaskForceId: number | null;
  findings: PrivacyFinding[];
}

export const TITLE_MIN = 3;
export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 20_000;
export const URL_MAX = 2000;

export const TYPE_LABELS: Record<ResourceType, string> = {
  protocol: 'Protocol',
  template: 'Template or form',
  training: 'Training material',
  policy: 'Policy',
  research: 'Research',
  toolkit: 'Toolkit',
  other: 'Other'
};

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g;

function cleanTitle(raw: string): string {
  const title = raw.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  if (title.length < TITLE_MIN || title.length > TITLE_MAX) {
    throw new Invalid(`A title needs ${TITLE_MIN} to ${TITLE_MAX} characters.`, {
      title: `Use ${TITLE_MIN} to ${TITLE_MAX} characters.`
    });
  }
  return title;
}

/** http and https only, no user name or password in it. */
export function cleanUrl(raw: string): string {
  const text = raw.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Invalid('Enter the full link address, starting with https:// or http://.', { url: 'Not a link address.' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Invalid('Links must start with https:// or http://.', { url: 'Only http and https links can be shared.' });
  }
  if (url.username || url.password) {
    throw new Invalid('Links cannot contain a user name or password.', { url: 'Remove the user name and password.' });
  }
  const href = url.href;
  if (href.length > URL_MAX) throw new Invalid(`A link can be at most ${URL_MAX} characters.`, { url: 'Too long.' });
  return href;
}

function checkTaskForces(ctx: Ctx, ids: number[], field: string): void {
  if (ids.length === 0) return;
  const known = all<{ id: number }>(ctx.db, 'SELECT id FROM task_forces WHERE id IN (SELECT value FROM json_each(@ids))', {
    ids: idList(ids)
  });
  if (known.length !== ids.length) {
    throw new Invalid('Choose task forces from the list.', { [field]: 'A task force in the list does not exist.' });
  }
}

export function audienceOf(input: Pick<ResourceInput, 'audience' | 'taskForceIds' | 'disciplines'>): Audience {
  const taskForceIds = [...new Set(input.taskForceIds ?? [])];
  const disciplines = [...new Set(input.disciplines ?? [])];
  if (input.audience === 'all') return { taskForceIds: [], disciplines: [] };
  if (input.audience === 'restricted' && taskForceIds.length === 0 && disciplines.length === 0) {
    throw new Invalid('Choose at least one task force or discipline, or share it with all members.', {
      taskForceIds: 'Choose at least one task force or discipline.'
    });
  }
  return { taskForceIds, disciplines };
}

/**
 * Validate, render and privacy-check a resource's details. The author must be inside a private
 * audience they choose (else they could not see what they shared); moderators see everything.
 */
export function validateInput(
  ctx: Ctx,
  raw: ResourceInput,
  kind: 'file' | 'link',
  opts: { requireUrl?: boolean } = {}
): ValidInput {
  const title = cleanTitle(raw.title);
  const description = (raw.description ?? '').replace(/\r\n?/g, '\n');
  if (description.length > DESCRIPTION_MAX) {
    throw new Invalid(`A description can be at most ${DESCRIPTION_MAX.toLocaleString('en-US')} characters.`, {
      description: `At most ${DESCRIPTION_MAX.toLocaleString('en-US')} characters.`
    });
  }
  if (!(RESOURCE_TYPES as readonly string[]).includes(raw.type)) {
    throw new Invalid('Choose a type from the list.', { type: 'Choose a type.' });
  }
  let url: string | null = null;
  if (kind === 'link') {
    if (raw.url) url = cleanUrl(raw.url);
    else if (opts.requireUrl !== false) throw new Invalid('Enter the link address.', { url: 'Enter the link address.' });
  } else if (raw.url) {
    throw new Invalid('A file resource has no link address.', { url: 'Leave this empty when you upload a file.' });
  }
  const audience = audienceOf(raw);
  if (audience.disciplines.some((d) => !(DISCIPLINES as readonly string[]).includes(d))) {
    throw new Invalid('Choose disciplines from the list.', { disciplines: 'Unknown discipline.' });
  }
  checkTaskForces(ctx, audience.taskForceIds, 'taskForceIds');
  const origin = raw.originTaskForceId ?? null;
  if (origin !== null) checkTaskForces(ctx, [origin], 'originTaskForceId');
  const actor = ctx.actor!;
  const isPrivate = audience.taskForceIds.length > 0 || audience.disciplines.length > 0;
  const inside =
    (actor.taskForceId !== null && audience.taskForceIds.includes(actor.taskForceId)) ||
    audience.disciplines.includes(actor.discipline);
  if (isPrivate && !inside && !moderates(actor)) {
    throw new Invalid('Include your own task force or discipline, or you could not see this resource yourself.', {
      taskForceIds: 'Include your own task force or discipline.'
    });
  }
  const tags = normaliseTags(raw.tags ?? []);
  const rendered = renderStored(ctx.db, description);
  const findings = privacyFindings(ctx, `${title}\n${description}`);
  if (findings.length > 0 && raw.confirmPrivacy !== true) throw new PrivacyCheckRequired(findings);
  return {
    title,
    description,
    html: rendered.html,
    text: rendered.text,
    type: raw.type,
    tags,
    url,
    audience,
    originTaskForceId: origin,
    findings
  };
}
