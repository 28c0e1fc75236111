import { SPOTLIGHT_KINDS, type SpotlightKind } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import { Invalid } from '../../shared/errors.ts';
import { imagesIn, parseMarkdown, renderParsed, STORED_IMAGE_RE } from '../../shared/markdown.ts';
import { PrivacyCheckRequired } from '../../shared/privacyGuard.ts';
import { mentionNames, privacyFindings } from '../discussions/compose.ts';
import { get } from '../discussions/sql.ts';

export const TITLE_MIN = 8;
export const TITLE_MAX = 200;
export const SUMMARY_MAX = 500;
export const BODY_MAX = 50_000;
export const PARTNER_NAME_MAX = 200;
export const URL_MAX = 2000;
export const COMMENT_MAX = 2000;

export const KIND_LABELS: Record<SpotlightKind, string> = {
  task_force: 'Task force',
  member: 'Member',
  practice: 'Promising practice',
  resource: 'Resource',
  partner: 'Partner'
};

/** What an editor sends (create, or the changed fields of an edit; null clears an optional field). */
export interface SpotlightInput {
  kind?: SpotlightKind;
  title?: string;
  summary?: string;
  body?: string;
  featuredMemberId?: number | null;
  featuredTaskForceId?: number | null;
  featuredResourceId?: number | null;
  partnerName?: string | null;
  partnerUrl?: string | null;
  confirmPrivacy?: boolean;
}

/** The stored shape of everything an editor writes. */
export interface SpotlightFields {
  kind: SpotlightKind;
  title: string;
  summary: string;
  body: string;
  bodyHtml: string;
  bodyText: string;
  featuredMemberId: number | null;
  featuredTaskForceId: number | null;
  featuredResourceId: number | null;
  partnerName: string | null;
  partnerUrl: string | null;
}

// eslint-disable-next-line no-control-regex
const CONTROL_LINE = /[\u0000-\u001f\u007f]/g;
// eslint-disable-next-line no-control-regex
const CONTROL_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

const oneLine = (s: string) => s.replace(CONTROL_LINE, ' ').replace(/\s+/g, ' ').trim();

/** Markdown with stored images: every image must be one of ours, and described. */
export function renderBody(ctx: Ctx, body: string): { html: string; text: string } {
  const parsed = parseMarkdown(body);
  for (const image of imagesIn(parsed)) {
    const match = STORED_IMAGE_RE.exec(image.src);
    if (!match) {
      throw new Invalid('Images must be uploaded with “Add an image” (their address starts with /api/images/).', {
        body: 'Upload the image here first; other image addresses are not shown.'
      });
    }
    if (image.alt.trim() === '') {
      throw new Invalid('Describe each image (the text in the square brackets) for members who cannot see it.', {
        body: 'Every image needs a description: ![what it shows](/api/images/…).'
      });
    }
    const stored = get<{ purpose: string }>(ctx.db, 'SELECT purpose FROM images WHERE id = @id', { id: Number(match[1]) });
    if (stored?.purpose !== 'spotlight') {
      throw new Invalid(`There is no spotlight image ${image.src}: upload it with “Add an image”.`, {
        body: `Unknown image ${image.src}.`
      });
    }
  }
  const rendered = renderParsed(parsed, mentionNames(ctx.db, parsed.mentionIds), { images: true });
  return { html: rendered.html, text: rendered.text };
}

const FIRST_IMAGE = /<img src="(\/api\/images\/\d{1,9})"/;

/** The first image of the rendered body (the home page's card shows it): read from the saved HTML, not re-parsed. */
export function firstImageUrl(bodyHtml: string): string | null {
  return FIRST_IMAGE.exec(bodyHtml)?.[1] ?? null;
}

function activeMember(ctx: Ctx, id: number): boolean {
  return (
    get<{ ok: number }>(
      ctx.db,
      `SELECT 1 AS ok FROM members WHERE id = @id AND status = 'active' AND notice_accepted_at IS NOT NULL`,
      { id }
    ) !== undefined
  );
}

function activeCoordinatorCount(ctx: Ctx, taskForceId: number): number {
  return get<{ n: number }>(
    ctx.db,
    `SELECT count(*) AS n FROM members WHERE role = 'coordinator' AND task_force_id = @taskForceId AND status = 'active'
       AND notice_accepted_at IS NOT NULL`,
    { taskForceId }
  )!.n;
}

/** A resource every member may read: not deleted, in a public category. */
function publicResource(ctx: Ctx, id: number): boolean {
  return (
    get<{ ok: number }>(
      ctx.db,
      `SELECT 1 AS ok FROM resources r JOIN categories c ON c.id = r.category_id
       WHERE r.id = @id AND r.deleted_at IS NULL AND c.is_private = 0`,
      { id }
    ) !== undefined
  );
}

function cleanUrl(raw: string): string {
  const url = raw.trim();
  const parsed = URL.canParse(url) ? new URL(url) : null;
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || url.length > URL_MAX) {
    throw new Invalid('The partner’s web address must start with https:// or http://.', {
      partnerUrl: 'Use a full address such as https://example.org.'
    });
  }
  return url;
}

/**
 * The whole spotlight after applying `raw` over `current` (nothing on create): checked field by field
 * with messages in the members' words, the featured side checked against its kind, the body rendered,
 * and the privacy guard run on the text. Fields the kind does not use are stored as null.
 */
export function validateSpotlight(ctx: Ctx, raw: SpotlightInput, current: SpotlightFields | null): SpotlightFields {
  const fields: Record<string, string> = {};
  const kind = raw.kind ?? current?.kind;
  if (!kind || !SPOTLIGHT_KINDS.includes(kind)) fields.kind = 'Choose what the spotlight is about.';
  const title = oneLine(raw.title ?? current?.title ?? '');
  if (title.length < TITLE_MIN || title.length > TITLE_MAX) fields.title = `Use ${TITLE_MIN} to ${TITLE_MAX} characters.`;
  const summary = oneLine(raw.summary ?? current?.summary ?? '');
  if (summary.length > SUMMARY_MAX) fields.summary = `Use at most ${SUMMARY_MAX} characters.`;
  const body = (raw.body ?? current?.body ?? '').replace(CONTROL_TEXT, ' ').trim();
  if (body.length > BODY_MAX) fields.body = `Use at most ${BODY_MAX.toLocaleString('en-US')} characters.`;

  const pick = <K extends 'featuredMemberId' | 'featuredTaskForceId' | 'featuredResourceId' | 'partnerName' | 'partnerUrl'>(
    key: K
  ): SpotlightInput[K] | null => (raw[key] !== undefined ? raw[key] : (current?.[key] ?? null));
  const featuredMemberId = kind === 'member' ? (pick('featuredMemberId') ?? null) : null;
  const featuredTaskForceId = kind === 'task_force' ? (pick('featuredTaskForceId') ?? null) : null;
  const featuredResourceId = kind === 'resource' ? (pick('featuredResourceId') ?? null) : null;
  const partnerName = kind === 'partner' ? oneLine(pick('partnerName') ?? '') || null : null;
  const rawUrl = kind === 'partner' ? (pick('partnerUrl') ?? '').trim() : '';

  if (kind === 'member') {
    if (featuredMemberId === null) fields.featuredMemberId = 'Choose the member this spotlight is about.';
    else if (!activeMember(ctx, featuredMemberId)) fields.featuredMemberId = 'Choose an active member.';
  }
  if (kind === 'task_force') {
    const exists =
      featuredTaskForceId !== null &&
      get<{ ok: number }>(ctx.db, 'SELECT 1 AS ok FROM task_forces WHERE id = @id', { id: featuredTaskForceId }) !== undefined;
    if (featuredTaskForceId === null) fields.featuredTaskForceId = 'Choose the task force this spotlight is about.';
    else if (!exists) fields.featuredTaskForceId = 'Choose a task force from the list.';
    else if (activeCoordinatorCount(ctx, featuredTaskForceId) === 0) {
      fields.featuredTaskForceId = 'That task force has no coordinator to approve it.';
    }
  }
  if (kind === 'resource') {
    if (featuredResourceId === null) fields.featuredResourceId = 'Choose the resource this spotlight is about.';
    else if (!publicResource(ctx, featuredResourceId)) fields.featuredResourceId = 'Choose a resource every member can open.';
  }
  if (kind === 'partner') {
    if (partnerName === null) fields.partnerName = 'Name the partner organisation.';
    else if (partnerName.length > PARTNER_NAME_MAX) fields.partnerName = `Use at most ${PARTNER_NAME_MAX} characters.`;
  }
  if (Object.keys(fields).length > 0) {
    throw new Invalid('Some fields need attention.', fields);
  }
  const partnerUrl = rawUrl === '' ? null : cleanUrl(rawUrl);
  const rendered = renderBody(ctx, body);

  // Asked again only when the text changes: saving the week or the partner's address must not re-ask.
  const textChanged = !current || current.title !== title || current.summary !== summary || current.body !== body;
  const findings = textChanged ? privacyFindings(ctx, `${title}\n${summary}\n${body}`) : [];
  if (findings.length > 0 && raw.confirmPrivacy !== true) throw new PrivacyCheckRequired(findings);

  return {
    kind: kind!,
    title,
    summary,
    body,
    bodyHtml: rendered.html,
    bodyText: rendered.text,
    featuredMemberId,
    featuredTaskForceId,
    featuredResourceId,
    partnerName,
    partnerUrl
  };
}

/** Does the change ask the featured side again? Their approval is of this text about this subject. */
export function changesWhatIsApproved(before: SpotlightFields, after: SpotlightFields): boolean {
  return (
    before.kind !== after.kind ||
    before.title !== after.title ||
    before.summary !== after.summary ||
    before.body !== after.body ||
    before.featuredMemberId !== after.featuredMemberId ||
    before.featuredTaskForceId !== after.featuredTaskForceId
  );
}
