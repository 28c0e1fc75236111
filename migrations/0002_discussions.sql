-- posts is WITHOUT ROWID (edited by hand): clustered by (thread_id, number), a thread page is one range read.
CREATE TABLE `bookmarks` (
	`member_id` integer NOT NULL,
	`post_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`member_id`, `post_id`),
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `bookmarks_member_idx` ON `bookmarks` (`member_id`,`created_at`,`post_id`);--> statement-breakpoint
CREATE TABLE `categories` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`position` integer DEFAULT 0 NOT NULL,
	`colour` text DEFAULT '#1f5f8b' NOT NULL,
	`is_private` integer DEFAULT false NOT NULL,
	`thread_count` integer DEFAULT 0 NOT NULL,
	`post_count` integer DEFAULT 0 NOT NULL,
	`last_post_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `categories_name_unique` ON `categories` (`name`);--> statement-breakpoint
CREATE INDEX `categories_position_idx` ON `categories` (`position`,`name`);--> statement-breakpoint
CREATE TABLE `category_disciplines` (
	`category_id` integer NOT NULL,
	`discipline` text NOT NULL,
	PRIMARY KEY(`category_id`, `discipline`),
	FOREIGN KEY (`category_id`) REFERENCES `categories`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `category_subscriptions` (
	`member_id` integer NOT NULL,
	`category_id` integer NOT NULL,
	`level` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`member_id`, `category_id`),
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`category_id`) REFERENCES `categories`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `category_subscriptions_category_idx` ON `category_subscriptions` (`category_id`,`level`);--> statement-breakpoint
CREATE TABLE `category_task_forces` (
	`category_id` integer NOT NULL,
	`task_force_id` integer NOT NULL,
	PRIMARY KEY(`category_id`, `task_force_id`),
	FOREIGN KEY (`category_id`) REFERENCES `categories`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`task_force_id`) REFERENCES `task_forces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `category_task_forces_tf_idx` ON `category_task_forces` (`task_force_id`);--> statement-breakpoint
CREATE TABLE `drafts` (
	`member_id` integer NOT NULL,
	`kind` text NOT NULL,
	`target_id` integer NOT NULL,
	`title` text,
	`body` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`member_id`, `kind`, `target_id`),
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `post_flags` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`post_id` integer NOT NULL,
	`flagger_id` integer NOT NULL,
	`reason` text NOT NULL,
	`note` text,
	`created_at` integer NOT NULL,
	`resolved_at` integer,
	`resolved_by` integer,
	`outcome` text,
	FOREIGN KEY (`flagger_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `post_flags_open_idx` ON `post_flags` (`resolved_at`,`created_at`);--> statement-breakpoint
CREATE INDEX `post_flags_post_idx` ON `post_flags` (`post_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `post_flags_one_open_per_member` ON `post_flags` (`post_id`,`flagger_id`) WHERE resolved_at IS NULL;--> statement-breakpoint
CREATE TABLE `post_reactions` (
	`post_id` integer NOT NULL,
	`kind` text NOT NULL,
	`member_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`post_id`, `kind`, `member_id`),
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `post_revisions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`post_id` integer NOT NULL,
	`title` text,
	`body` text NOT NULL,
	`edited_by` integer NOT NULL,
	`replaced_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `post_revisions_post_idx` ON `post_revisions` (`post_id`,`id`);--> statement-breakpoint
CREATE TABLE `posts` (
	`thread_id` integer NOT NULL,
	`number` integer NOT NULL,
	`id` integer NOT NULL,
	`author_id` integer NOT NULL,
	`body` text NOT NULL,
	`body_html` text NOT NULL,
	`quote_post_id` integer,
	`privacy_confirmed` text,
	`created_at` integer NOT NULL,
	`edited_at` integer,
	`edit_count` integer DEFAULT 0 NOT NULL,
	`deleted_at` integer,
	`deleted_by` integer,
	`hidden_at` integer,
	`hidden_reason` text,
	`purged_at` integer,
	PRIMARY KEY(`thread_id`, `number`),
	FOREIGN KEY (`thread_id`) REFERENCES `threads`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`author_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
) WITHOUT ROWID;
--> statement-breakpoint
CREATE UNIQUE INDEX `posts_id_unique` ON `posts` (`id`);--> statement-breakpoint
CREATE INDEX `posts_author_idx` ON `posts` (`author_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `posts_quote_idx` ON `posts` (`quote_post_id`) WHERE quote_post_id IS NOT NULL;--> statement-breakpoint
CREATE TABLE `thread_reads` (
	`member_id` integer NOT NULL,
	`thread_id` integer NOT NULL,
	`last_read_number` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`member_id`, `thread_id`),
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `thread_subscriptions` (
	`member_id` integer NOT NULL,
	`thread_id` integer NOT NULL,
	`level` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`member_id`, `thread_id`),
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `thread_subscriptions_thread_idx` ON `thread_subscriptions` (`thread_id`,`level`);--> statement-breakpoint
CREATE TABLE `threads` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`category_id` integer NOT NULL,
	`author_id` integer NOT NULL,
	`title` text NOT NULL,
	`first_post_id` integer DEFAULT 0 NOT NULL,
	`last_post_number` integer DEFAULT 0 NOT NULL,
	`post_count` integer DEFAULT 0 NOT NULL,
	`last_post_at` integer NOT NULL,
	`last_post_author_id` integer,
	`pin_scope` text,
	`pinned_until` integer,
	`locked_at` integer,
	`closed_at` integer,
	`deleted_at` integer,
	`deleted_by` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`category_id`) REFERENCES `categories`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`author_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `threads_category_activity_idx` ON `threads` (`category_id`,`last_post_at`,`id`);--> statement-breakpoint
CREATE INDEX `threads_activity_idx` ON `threads` (`last_post_at`,`id`);--> statement-breakpoint
CREATE INDEX `threads_author_idx` ON `threads` (`author_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `threads_pinned_idx` ON `threads` (`pin_scope`) WHERE pin_scope IS NOT NULL;