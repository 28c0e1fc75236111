import { existsSync } from 'node:fs';
import type { Db } from '../../db/client.ts';
import type { Deps } from '../context.ts';
import { fileStore, forgetIfUnnamed } from '../modules/resources/upload.ts';
import { audit, purgeThreadRows, tableExists } from './purgeDiscussions.ts';

/**
 * Soft-deleted resources go for good RETENTION.deletedContentDays after deletion: the resource, its
 * versions, tags, recommendations, broken-link reports and search entry, its comments thread (with
 * everything the thread purge removes), its own private comments category when nothing else is in
 * it, and then each stored file that no remaining version names.
 */

const RESOURCES_PER_RUN = 100;

export interface ResourcePurgeReport {
  resources: number;
  files: number;
}

interface Doomed {
  id: number;
  threadId: number;
  categoryId: number;
}

function purgeOne(db: Db, resource: Doomed, now: number): string[] | null {
  const sqlite = db.$client;
  const shas = (
    sqlite.prepare('SELECT DISTINCT sha256 FROM resource_versions WHERE resource_id = ?').all(resource.id) as { sha256: string }[]
  ).map((r) => r.sha256);
  if (tableExists(sqlite, 'resource_search')) sqlite.prepare('DELETE FROM resource_search WHERE rowid = ?').run(resource.id);
  for (const table of ['resource_tags', 'resource_recommendations', 'resource_link_reports', 'resource_versions']) {
    sqlite.prepare(`DELETE FROM ${table} WHERE resource_id = ?`).run(resource.id);
  }
  sqlite.prepare('DELETE FROM resources WHERE id = ?').run(resource.id);
  const posts = purgeThreadRows(sqlite, resource.threadId);
  // The thread holds the newest post id (ids are max + 1): the whole purge waits for a newer post.
  if (posts === null) throw new KeepForNow();
  const category = sqlite
    .prepare('SELECT is_private AS isPrivate, attached FROM categories WHERE id = ?')
    .get(resource.categoryId) as { isPrivate: number; attached: number } | undefined;
  const empty =
    sqlite
      .prepare('SELECT 1 FROM threads WHERE category_id = ? UNION ALL SELECT 1 FROM resources WHERE category_id = ?')
      .get(resource.categoryId, resource.categoryId) === undefined;
  // A private resource's own comments category (its audience) has no use without it.
  if (category?.isPrivate === 1 && category.attached === 1 && empty) {
    sqlite.prepare("DELETE FROM drafts WHERE kind = 'category' AND target_id = ?").run(resource.categoryId);
    sqlite.prepare('DELETE FROM categories WHERE id = ?').run(resource.categoryId);
  }
  audit(db, now, 'resource', resource.id, { threadId: resource.threadId, posts, files: shas.length });
  return shas;
}

class KeepForNow extends Error {}

export function purgeDeletedResources(deps: Deps, before: number, now: number): ResourcePurgeReport {
  const report: ResourcePurgeReport = { resources: 0, files: 0 };
  const sqlite = deps.db.$client;
  if (!tableExists(sqlite, 'resources')) return report;
  const doomed = sqlite
    .prepare(
      `SELECT id, thread_id AS threadId, category_id AS categoryId FROM resources
       WHERE deleted_at IS NOT NULL AND deleted_at < ? ORDER BY deleted_at LIMIT ?`
    )
    .all(before, RESOURCES_PER_RUN) as Doomed[];
  const purge = sqlite.transaction((resource: Doomed) => purgeOne(deps.db, resource, now));
  for (const resource of doomed) {
    let shas: string[] | null;
    try {
      shas = purge(resource);
    } catch (err) {
      if (err instanceof KeepForNow) continue;
      throw err;
    }
    report.resources++;
    // The file store's own rule: gone only if no version names it and no upload of it is in flight.
    for (const sha of shas ?? []) {
      forgetIfUnnamed(deps, sha);
      if (!existsSync(fileStore(deps).pathOf(sha))) report.files++;
    }
  }
  return report;
}
