import type { Ctx } from '../../context.ts';
import { DAY } from '../../shared/clock.ts';
import { Invalid, TooManyRequests } from '../../shared/errors.ts';
import { PrivacyCheckRequired } from '../../shared/privacyGuard.ts';
import { privacyFindings, renderStored } from '../discussions/compose.ts';
import { get } from '../discussions/sql.ts';

/** What a member sends to submit or edit a suggestion. */
export interface SuggestionInput {
  title: string;
  description?: string;
  /** The author saw the privacy guard's findings and confirms none of it identifies a victim. */
  confirmPrivacy?: boolean;
}

export interface ValidSuggestion {
  title: string;
  description: string;
  html: string;
  text: string;
}

export const TITLE_MIN = 8;
export const TITLE_MAX = 150;
export const DESCRIPTION_MAX = 10_000;
export const NOTE_MAX = 2_000;
/** New suggestions per member per 24 hours, counted in the database (it survives restarts). */
export const SUGGESTIONS_PER_DAY = 5;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g;

export function cleanTitle(raw: string): string {
  const title = raw.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  if (title.length < TITLE_MIN || title.length > TITLE_MAX) {
    throw new Invalid(`A title needs ${TITLE_MIN} to ${TITLE_MAX} characters.`, {
      title: `Use ${TITLE_MIN} to ${TITLE_MAX} characters.`
    });
  }
  return title;
}

/** Title and description checked, rendered (sanitized Markdown) and put to the privacy guard. */
export function validateSuggestion(ctx: Ctx, raw: SuggestionInput): ValidSuggestion {
  const title = cleanTitle(raw.title);
  const description = (raw.description ?? '').replace(/\r\n?/g, '\n');
  if (description.length > DESCRIPTION_MAX) {
    throw new Invalid(`A description can be at most ${DESCRIPTION_MAX.toLocaleString('en-US')} characters.`, {
      description: `At most ${DESCRIPTION_MAX.toLocaleString('en-US')} characters.`
    });
  }
  const rendered = renderStored(ctx.db, description);
  const findings = privacyFindings(ctx, `${title}\n${description}`);
  if (findings.length > 0 && raw.confirmPrivacy !== true) throw new PrivacyCheckRequired(findings);
  return { title, description, html: rendered.html, text: rendered.text };
}

/** An admin's public note on a status change: plain text, shown as written. */
export function cleanNote(ctx: Ctx, raw: string | null | undefined, confirmPrivacy: boolean | undefined): string | null {
  const note = (raw ?? '').replace(/\r\n?/g, '\n').trim();
  if (note.length > NOTE_MAX) {
    throw new Invalid(`A note can be at most ${NOTE_MAX.toLocaleString('en-US')} characters.`, {
      note: `At most ${NOTE_MAX.toLocaleString('en-US')} characters.`
    });
  }
  if (note === '') return null;
  const findings = privacyFindings(ctx, note);
  if (findings.length > 0 && confirmPrivacy !== true) throw new PrivacyCheckRequired(findings);
  return note;
}

export function checkDailyQuota(ctx: Ctx): void {
  const now = ctx.clock.now();
  const row = get<{ n: number; oldest: number | null }>(
    ctx.db,
    `SELECT count(*) AS n, min(created_at) AS oldest FROM (
       SELECT created_at FROM suggestions WHERE author_id = @me AND created_at > @since ORDER BY created_at DESC LIMIT @limit)`,
    { me: ctx.actor!.id, since: now - DAY, limit: SUGGESTIONS_PER_DAY }
  );
  if (row && row.n >= SUGGESTIONS_PER_DAY && row.oldest !== null) {
    const wait = Math.max(1, Math.ceil((row.oldest + DAY - now) / 1000));
    const hours = Math.ceil(wait / 3600);
    throw new TooManyRequests(
      `You have made ${SUGGESTIONS_PER_DAY} suggestions in the last 24 hours, the most allowed. You can make another in about ${hours} hour${hours === 1 ? '' : 's'}.`,
      wait
    );
  }
}
