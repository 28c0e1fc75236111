CREATE TABLE `resource_link_reports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`resource_id` integer NOT NULL,
	`member_id` integer NOT NULL,
	`note` text,
	`created_at` integer NOT NULL,
	`resolved_at` integer,
	FOREIGN KEY (`resource_id`) REFERENCES `resources`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `resource_link_reports_open_idx` ON `resource_link_reports` (`resource_id`,`member_id`) WHERE resolved_at IS NULL;--> statement-breakpoint
CREATE TABLE `resource_recommendations` (
	`resource_id` integer NOT NULL,
	`member_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`resource_id`, `member_id`),
	FOREIGN KEY (`resource_id`) REFERENCES `resources`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `resource_tags` (
	`resource_id` integer NOT NULL,
	`tag` text NOT NULL,
	PRIMARY KEY(`resource_id`, `tag`),
	FOREIGN KEY (`resource_id`) REFERENCES `resources`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `resource_tags_tag_idx` ON `resource_tags` (`tag`,`resource_id`);--> statement-breakpoint
CREATE TABLE `resource_versions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`resource_id` integer NOT NULL,
	`number` integer NOT NULL,
	`sha256` text NOT NULL,
	`size` integer NOT NULL,
	`mime_type` text NOT NULL,
	`type_label` text NOT NULL,
	`file_name` text NOT NULL,
	`uploaded_by` integer NOT NULL,
	`created_at` integer NOT NULL,
	`extraction_state` text NOT NULL,
	`extracted_at` integer,
	FOREIGN KEY (`resource_id`) REFERENCES `resources`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`uploaded_by`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `resource_versions_number_idx` ON `resource_versions` (`resource_id`,`number`);--> statement-breakpoint
CREATE INDEX `resource_versions_sha_idx` ON `resource_versions` (`sha256`);--> statement-breakpoint
CREATE INDEX `resource_versions_pending_idx` ON `resource_versions` (`id`) WHERE extraction_state = 'pending';--> statement-breakpoint
CREATE TABLE `resource_watches` (
	`member_id` integer NOT NULL,
	`kind` text NOT NULL,
	`value` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`member_id`, `kind`, `value`),
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `resource_watches_value_idx` ON `resource_watches` (`kind`,`value`);--> statement-breakpoint
CREATE TABLE `resources` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`type` text NOT NULL,
	`title` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`description_html` text DEFAULT '' NOT NULL,
	`description_text` text DEFAULT '' NOT NULL,
	`url` text,
	`author_id` integer NOT NULL,
	`origin_task_force_id` integer,
	`category_id` integer NOT NULL,
	`thread_id` integer NOT NULL,
	`current_version_id` integer,
	`download_count` integer DEFAULT 0 NOT NULL,
	`recommend_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer,
	`deleted_by` integer,
	FOREIGN KEY (`author_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`origin_task_force_id`) REFERENCES `task_forces`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`category_id`) REFERENCES `categories`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`thread_id`) REFERENCES `threads`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `resources_created_idx` ON `resources` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `resources_downloads_idx` ON `resources` (`download_count`,`id`);--> statement-breakpoint
CREATE INDEX `resources_recommended_idx` ON `resources` (`recommend_count`,`id`);--> statement-breakpoint
CREATE INDEX `resources_type_idx` ON `resources` (`type`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `resources_origin_idx` ON `resources` (`origin_task_force_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `resources_author_idx` ON `resources` (`author_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `resources_category_idx` ON `resources` (`category_id`);--> statement-breakpoint
ALTER TABLE `categories` ADD `attached` integer DEFAULT false NOT NULL;