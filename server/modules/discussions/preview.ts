import type { Ctx } from '../../context.ts';
import { authorize } from '../../policies/index.ts';
import { MINUTE } from '../../shared/clock.ts';
import { checkActionRate, compose } from './compose.ts';

/**
 * Exactly the HTML that saving would store, and what the privacy guard would ask about, so the
 * composer can show both before the member posts.
 */
export function preview(ctx: Ctx, input: { body: string; title?: string }) {
  authorize(ctx.actor, 'discussions.use');
  checkActionRate(ctx, 'preview', 60, MINUTE);
  const composed = compose(ctx, { ...input, confirmPrivacy: true });
  return { html: composed.html, title: composed.title, findings: composed.findings };
}
