-- Attached comment categories made before 0009 all belong to the resource library.
UPDATE `categories` SET `attached_kind` = 'resources' WHERE `attached` = 1 AND `attached_kind` IS NULL;
--> statement-breakpoint
-- Spotlight archive search: one row per spotlight (rowid = spotlights.id), published ones only;
-- kept in step by server/modules/spotlights.
CREATE VIRTUAL TABLE `spotlight_search` USING fts5(
  title,
  summary,
  body,
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '3 4 5 6'
);
--> statement-breakpoint
INSERT INTO `spotlight_search` (`spotlight_search`, `rank`) VALUES ('secure-delete', 1);
--> statement-breakpoint
INSERT INTO `spotlight_search` (`spotlight_search`, `rank`) VALUES ('rank', 'bm25(10.0, 4.0, 1.0)');
--> statement-breakpoint
-- Suggestions: duplicate hints while typing and the board's search (rowid = suggestions.id);
-- kept in step by server/modules/suggestions.
CREATE VIRTUAL TABLE `suggestion_search` USING fts5(
  title,
  description,
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '3 4 5 6'
);
--> statement-breakpoint
INSERT INTO `suggestion_search` (`suggestion_search`, `rank`) VALUES ('secure-delete', 1);
--> statement-breakpoint
INSERT INTO `suggestion_search` (`suggestion_search`, `rank`) VALUES ('rank', 'bm25(5.0, 1.0)');
