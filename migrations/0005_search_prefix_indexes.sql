-- Prefix indexes for 3 to 6 letters (was 3 only). Search turns the word still being typed into a
-- prefix query; with only 3-letter prefixes indexed, "traff*" had to merge the doclists of every
-- indexed word starting with "traff" (seconds on a large forum). search/query.ts only prefix-expands
-- words of up to 6 letters, which these indexes now answer directly.
-- FTS5 cannot change `prefix` in place: build a new table with the same tokenizer and columns, copy
-- the indexed text (it is plain text extracted from the Markdown, which SQL cannot redo), then swap.
CREATE VIRTUAL TABLE `post_search_new` USING fts5(
  title,
  body,
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '3 4 5 6'
);
--> statement-breakpoint
INSERT INTO `post_search_new` (`post_search_new`, `rank`) VALUES ('secure-delete', 1);
--> statement-breakpoint
INSERT INTO `post_search_new` (`post_search_new`, `rank`) VALUES ('rank', 'bm25(10.0, 1.0)');
--> statement-breakpoint
INSERT INTO `post_search_new` (`rowid`, `title`, `body`) SELECT `rowid`, `title`, `body` FROM `post_search` ORDER BY `rowid`;
--> statement-breakpoint
DROP TABLE `post_search`;
--> statement-breakpoint
ALTER TABLE `post_search_new` RENAME TO `post_search`;
--> statement-breakpoint
-- One b-tree after the bulk copy rather than many segments.
INSERT INTO `post_search` (`post_search`) VALUES ('optimize');
