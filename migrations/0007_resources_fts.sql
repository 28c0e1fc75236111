-- Full-text search over resources: one row per resource, rowid = resources.id. Title, description
-- (plain text from the Markdown), tags (space separated), and the text extracted from the current
-- file (filled in the background after upload; at most 1 MB). Kept in step by
-- server/modules/resources/searchIndex.ts; visibility is filtered by the query, not by the index.
CREATE VIRTUAL TABLE `resource_search` USING fts5(
  title,
  description,
  tags,
  content,
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '3 4 5 6'
);
--> statement-breakpoint
INSERT INTO `resource_search` (`resource_search`, `rank`) VALUES ('secure-delete', 1);
--> statement-breakpoint
-- A title match weighs most, then tags, then the description, then the file's own text.
INSERT INTO `resource_search` (`resource_search`, `rank`) VALUES ('rank', 'bm25(10.0, 2.0, 5.0, 1.0)');
