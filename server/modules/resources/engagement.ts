import { RESOURCE_TYPES, type ResourceType } from '../../../db/schema/index.ts';
import type { Ctx } from '../../context.ts';
import { authorize, can } from '../../policies/index.ts';
import { HOUR, MINUTE } from '../../shared/clock.ts';
import { Conflict, Invalid } from '../../shared/errors.ts';
import { checkActionRate } from '../discussions/compose.ts';
import { all, get, run } from '../discussions/sql.ts';
import { readableResource } from './access.ts';
import { normaliseTag, TAG_MAX_LENGTH } from './tags.ts';

/** Recommend (one per member, a toggle). */
export function recommend(ctx: Ctx, resourceId: number, recommended: boolean) {
  authorize(ctx.actor, 'resources.use');
  const loaded = readableResource(ctx, resourceId);
  if (!can(ctx.actor, 'resource.recommend', loaded.state)) throw new Conflict('This resource was deleted.');
  checkActionRate(ctx, 'recommend', 60, MINUTE);
  const me = ctx.actor.id;
  const now = ctx.clock.now();
  return ctx.db.transaction((tx) => {
    const changed = recommended
      ? run(
          tx,
          `INSERT INTO resource_recommendations (resource_id, member_id, created_at) VALUES (@resourceId, @me, @now)
           ON CONFLICT DO NOTHING`,
          { resourceId, me, now }
        ).changes
      : run(tx, 'DELETE FROM resource_recommendations WHERE resource_id = @resourceId AND member_id = @me', { resourceId, me })
          .changes;
    if (changed > 0) {
      run(tx, 'UPDATE resources SET recommend_count = recommend_count + @delta WHERE id = @resourceId', {
        delta: recommended ? 1 : -1,
        resourceId
      });
    }
    const count = get<{ n: number }>(tx, 'SELECT recommend_count AS n FROM resources WHERE id = @resourceId', { resourceId })!.n;
    return { recommended, recommendCount: count };
  });
}

/**
 * "Report broken link": link resources only. The discussion flag queue is about posts, so a report
 * is its own row (one open report per member and resource) and moderators and the author are
 * notified (kind resource_broken_link); the resource page shows them the open count.
 */
export function reportBrokenLink(ctx: Ctx, resourceId: number, input: { note?: string | null }): { reported: true } {
  authorize(ctx.actor, 'resources.use');
  const loaded = readableResource(ctx, resourceId);
  if (loaded.resource.kind !== 'link') throw new Invalid('Only link resources can be reported as broken links.');
  if (!can(ctx.actor, 'resource.reportLink', loaded.state)) throw new Conflict('This resource was deleted.');
  checkActionRate(ctx, 'report-link', 20, HOUR);
  const note = input.note?.replace(/\s+/g, ' ').trim() || null;
  const inserted = run(
    ctx.db,
    `INSERT INTO resource_link_reports (resource_id, member_id, note, created_at) VALUES (@resourceId, @me, @note, @now)
     ON CONFLICT DO NOTHING`,
    { resourceId, me: ctx.actor.id, note, now: ctx.clock.now() }
  );
  if (inserted.changes > 0) {
    ctx.bus.publish({
      type: 'resource.link_reported',
      resourceId,
      categoryId: loaded.resource.categoryId,
      reporterId: ctx.actor.id,
      reportId: Number(inserted.lastInsertRowid)
    });
  }
  return { reported: true };
}

function watchesOf(ctx: Ctx) {
  const rows = all<{ kind: 'tag' | 'type'; value: string }>(
    ctx.db,
    'SELECT kind, value FROM resource_watches WHERE member_id = @me ORDER BY kind, value',
    { me: ctx.actor!.id }
  );
  return {
    tags: rows.filter((r) => r.kind === 'tag').map((r) => r.value),
    types: rows.filter((r) => r.kind === 'type').map((r) => r.value as ResourceType)
  };
}

export function listWatches(ctx: Ctx) {
  authorize(ctx.actor, 'resources.use');
  return watchesOf(ctx);
}

const MAX_WATCHES = 100;

/** Watch or stop watching one tag or one type (notifications of kind resource_shared). */
export function setWatch(ctx: Ctx, input: { tag?: string; type?: ResourceType; watching: boolean }) {
  authorize(ctx.actor, 'resources.use');
  if ((input.tag === undefined) === (input.type === undefined)) {
    throw new Invalid('Name one tag or one type to watch.', { tag: 'Send a tag or a type, not both.' });
  }
  const kind = input.tag !== undefined ? 'tag' : 'type';
  const value = input.tag !== undefined ? normaliseTag(input.tag) : input.type!;
  if (!value || (kind === 'tag' && value.length > TAG_MAX_LENGTH)) throw new Invalid('Enter a tag.', { tag: 'Enter a tag.' });
  if (kind === 'type' && !(RESOURCE_TYPES as readonly string[]).includes(value))
    throw new Invalid('Choose a type.', { type: 'Unknown type.' });
  const me = ctx.actor.id;
  if (input.watching) {
    const count = get<{ n: number }>(ctx.db, 'SELECT count(*) AS n FROM resource_watches WHERE member_id = @me', { me })!.n;
    if (count >= MAX_WATCHES) throw new Invalid(`You can watch at most ${MAX_WATCHES} tags and types.`);
    run(
      ctx.db,
      `INSERT INTO resource_watches (member_id, kind, value, created_at) VALUES (@me, @kind, @value, @now) ON CONFLICT DO NOTHING`,
      { me, kind, value, now: ctx.clock.now() }
    );
  } else {
    run(ctx.db, 'DELETE FROM resource_watches WHERE member_id = @me AND kind = @kind AND value = @value', { me, kind, value });
  }
  return watchesOf(ctx);
}
