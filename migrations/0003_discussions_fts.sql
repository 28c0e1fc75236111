-- Full-text search over thread titles and post bodies (plain text extracted from the Markdown).
-- One row per visible post, rowid = posts.id; the title column is filled on a thread's opening post
-- only. The service code keeps it in step (server/modules/search/indexer.ts): deleted, hidden and
-- purged posts are not in it.
CREATE VIRTUAL TABLE `post_search` USING fts5(
  title,
  body,
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '3'
);
--> statement-breakpoint
-- A purge must not leave the purged words in the index's segments until the next merge.
INSERT INTO `post_search` (`post_search`, `rank`) VALUES ('secure-delete', 1);
--> statement-breakpoint
-- ORDER BY rank weighs a title match ten times a body match.
INSERT INTO `post_search` (`post_search`, `rank`) VALUES ('rank', 'bm25(10.0, 1.0)');
