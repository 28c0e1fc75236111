CREATE TABLE `notification_preferences` (
	`member_id` integer NOT NULL,
	`kind` text NOT NULL,
	`email` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`member_id`, `kind`),
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`member_id` integer NOT NULL,
	`kind` text NOT NULL,
	`data` text NOT NULL,
	`group_key` text,
	`thread_id` integer,
	`post_number` integer,
	`created_at` integer NOT NULL,
	`read_at` integer,
	`email_mode` text,
	`email_state` text,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `notifications_member_idx` ON `notifications` (`member_id`,`id`);--> statement-breakpoint
CREATE INDEX `notifications_unread_idx` ON `notifications` (`member_id`,`id`) WHERE read_at IS NULL;--> statement-breakpoint
CREATE INDEX `notifications_thread_idx` ON `notifications` (`member_id`,`thread_id`,`post_number`) WHERE thread_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX `notifications_post_idx` ON `notifications` (`thread_id`,`post_number`) WHERE thread_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX `notifications_group_idx` ON `notifications` (`member_id`,`group_key`) WHERE group_key IS NOT NULL AND read_at IS NULL;--> statement-breakpoint
CREATE INDEX `notifications_email_idx` ON `notifications` (`email_mode`,`created_at`) WHERE email_state = 'pending';