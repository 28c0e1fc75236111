import { isActiveMember, type Actor } from './actor.ts';
import { canReadCategory, memberReadsCategorySql, moderates, type CategoryAudience } from './discussions.ts';

/**
 * The resource library. A resource's audience is stored as the audience of its comments category
 * (see db/schema/resources.ts), so "who may see a resource" is exactly the private-category rule:
 * every active member for an all-members resource; members of one of its task forces or one of its
 * disciplines for a private one; moderators and admins always. A deleted resource is seen by
 * moderators only. The rule in its three shapes, which a test proves agree:
 *  - canReadResource(actor, resource): one resource, in JS (page, download, versions, edits…);
 *  - READABLE_RESOURCE_SQL: a WHERE fragment over resource alias `r` (lists, tag counts, search);
 *    bind readerParams(actor) from ./discussions.ts;
 *  - memberReadsResourceSql(m): whether member row `m` may see the resource whose category is
 *    @categoryId (notification audiences).
 */

export interface ResourceState {
  authorId: number;
  kind: 'file' | 'link';
  audience: CategoryAudience;
  deletedAt: number | null;
}

export function canReadResource(actor: Actor | null, resource: ResourceState): boolean {
  return canReadCategory(actor, resource.audience) && (resource.deletedAt === null || moderates(actor));
}

/**
 * Checked per row through the resource's own category, not as `r.category_id IN (readable
 * categories)`: each private resource has a category of its own, and building that set scanned
 * every one of them (~5 ms per request at 5,000 private resources); a page looks at ~20 rows.
 * The same rule as READABLE_CATEGORY_IDS_SQL (the agreement test holds both to the JS).
 */
export const READABLE_RESOURCE_SQL = `(@readerActive = 1 AND (r.deleted_at IS NULL OR @readerModerates = 1) AND (
  @readerModerates = 1
  OR EXISTS (SELECT 1 FROM categories rrc WHERE rrc.id = r.category_id AND (rrc.is_private = 0
    OR EXISTS (SELECT 1 FROM category_task_forces rrt WHERE rrt.category_id = rrc.id AND rrt.task_force_id = @readerTaskForceId)
    OR EXISTS (SELECT 1 FROM category_disciplines rrd WHERE rrd.category_id = rrc.id AND rrd.discipline = @readerDiscipline)))))`;

export const memberReadsResourceSql = memberReadsCategorySql;

const authorOrModerator = (actor: Actor | null, r: ResourceState): boolean =>
  isActiveMember(actor) && (r.authorId === actor.id || moderates(actor));

export const resourcesPolicy = {
  /** Route gate of every resource route: an active member; each resource is then checked below. */
  'resources.use': (actor: Actor | null) => isActiveMember(actor),
  /** Merge tags, list every tag. */
  'resourceTags.manage': (actor: Actor | null) => isActiveMember(actor) && actor.role === 'admin',
  'resource.read': (actor: Actor | null, r?: ResourceState) => r !== undefined && canReadResource(actor, r),
  'resource.edit': (actor: Actor | null, r?: ResourceState) =>
    r !== undefined && canReadResource(actor, r) && r.deletedAt === null && authorOrModerator(actor, r),
  'resource.delete': (actor: Actor | null, r?: ResourceState) =>
    r !== undefined && canReadResource(actor, r) && r.deletedAt === null && authorOrModerator(actor, r),
  'resource.restore': (actor: Actor | null, r?: ResourceState) => r !== undefined && r.deletedAt !== null && moderates(actor),
  'resource.addVersion': (actor: Actor | null, r?: ResourceState) =>
    r !== undefined && r.kind === 'file' && r.deletedAt === null && canReadResource(actor, r) && authorOrModerator(actor, r),
  /** Earlier versions of a file: its author and moderators (the current one: every reader). */
  'resource.readOldVersions': (actor: Actor | null, r?: ResourceState) =>
    r !== undefined && canReadResource(actor, r) && authorOrModerator(actor, r),
  /** See how many broken-link reports there are. */
  'resource.seeReports': (actor: Actor | null, r?: ResourceState) =>
    r !== undefined && canReadResource(actor, r) && authorOrModerator(actor, r),
  'resource.recommend': (actor: Actor | null, r?: ResourceState) =>
    r !== undefined && canReadResource(actor, r) && r.deletedAt === null,
  'resource.reportLink': (actor: Actor | null, r?: ResourceState) =>
    r !== undefined && r.kind === 'link' && canReadResource(actor, r) && r.deletedAt === null
};
