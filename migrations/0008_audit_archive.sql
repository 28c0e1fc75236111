-- Audit rows older than AUDIT_RETENTION_DAYS are archived to a file and then deleted by the retention
-- job (server/ops/auditArchive.ts). The append-only trigger still refuses every other DELETE: a delete
-- passes only while a permit row exists (the archiver inserts it and removes it in the same
-- transaction) and only for rows at or below the id the archiver says it has written to the archive.
CREATE TABLE `audit_archive_permit` (
	`id` integer PRIMARY KEY NOT NULL CHECK (`id` = 1),
	`up_to_id` integer NOT NULL
);
--> statement-breakpoint
DROP TRIGGER `audit_log_no_delete`;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN NOT EXISTS (SELECT 1 FROM audit_archive_permit p WHERE OLD.id <= p.up_to_id)
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
--> statement-breakpoint
-- The retention job finds soft-deleted threads and posts 30 days on without reading every row.
-- Partial indexes: only deleted rows are in them, so they cost nothing on ordinary writes.
CREATE INDEX `threads_deleted_idx` ON `threads` (`deleted_at`) WHERE deleted_at IS NOT NULL;
--> statement-breakpoint
CREATE INDEX `posts_deleted_idx` ON `posts` (`deleted_at`) WHERE deleted_at IS NOT NULL;
