CREATE TABLE `images` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`purpose` text NOT NULL,
	`sha256` text NOT NULL,
	`mime_type` text NOT NULL,
	`size` integer NOT NULL,
	`width` integer NOT NULL,
	`height` integer NOT NULL,
	`uploaded_by` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`uploaded_by`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `images_sha_idx` ON `images` (`sha256`);--> statement-breakpoint
CREATE INDEX `images_uploader_idx` ON `images` (`uploaded_by`,`created_at`);--> statement-breakpoint
CREATE TABLE `spotlight_consents` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`spotlight_id` integer NOT NULL,
	`revision` integer NOT NULL,
	`decision` text NOT NULL,
	`comment` text,
	`member_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`spotlight_id`) REFERENCES `spotlights`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `spotlight_consents_spotlight_idx` ON `spotlight_consents` (`spotlight_id`,`id`);--> statement-breakpoint
CREATE TABLE `spotlights` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`summary` text DEFAULT '' NOT NULL,
	`body` text DEFAULT '' NOT NULL,
	`body_html` text DEFAULT '' NOT NULL,
	`body_text` text DEFAULT '' NOT NULL,
	`featured_member_id` integer,
	`featured_task_force_id` integer,
	`featured_resource_id` integer,
	`partner_name` text,
	`partner_url` text,
	`week` text,
	`publish_at` integer,
	`revision` integer DEFAULT 1 NOT NULL,
	`consent_state` text DEFAULT 'not_needed' NOT NULL,
	`consent_revision` integer,
	`published_at` integer,
	`category_id` integer,
	`thread_id` integer,
	`author_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer,
	FOREIGN KEY (`featured_member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`featured_task_force_id`) REFERENCES `task_forces`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`featured_resource_id`) REFERENCES `resources`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`category_id`) REFERENCES `categories`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`thread_id`) REFERENCES `threads`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`author_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `spotlights_week_idx` ON `spotlights` (`week`) WHERE deleted_at IS NULL AND week IS NOT NULL;--> statement-breakpoint
CREATE INDEX `spotlights_published_idx` ON `spotlights` (`published_at`,`id`);--> statement-breakpoint
CREATE INDEX `spotlights_due_idx` ON `spotlights` (`publish_at`) WHERE published_at IS NULL AND deleted_at IS NULL;--> statement-breakpoint
CREATE INDEX `spotlights_member_idx` ON `spotlights` (`featured_member_id`);--> statement-breakpoint
CREATE INDEX `spotlights_task_force_idx` ON `spotlights` (`featured_task_force_id`);--> statement-breakpoint
CREATE TABLE `member_expertise` (
	`member_id` integer NOT NULL,
	`tag` text NOT NULL,
	PRIMARY KEY(`member_id`, `tag`),
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `member_expertise_tag_idx` ON `member_expertise` (`tag`,`member_id`);--> statement-breakpoint
CREATE TABLE `member_profiles` (
	`member_id` integer PRIMARY KEY NOT NULL,
	`photo_image_id` integer,
	`state` text,
	`bio` text DEFAULT '' NOT NULL,
	`languages` text DEFAULT '[]' NOT NULL,
	`preferred_contact` text DEFAULT 'message' NOT NULL,
	`contact_email` text,
	`contact_phone` text,
	`listed` integer DEFAULT true NOT NULL,
	`name_visibility` text DEFAULT 'members' NOT NULL,
	`photo_visibility` text DEFAULT 'members' NOT NULL,
	`job_title_visibility` text DEFAULT 'members' NOT NULL,
	`agency_visibility` text DEFAULT 'members' NOT NULL,
	`task_force_visibility` text DEFAULT 'members' NOT NULL,
	`discipline_visibility` text DEFAULT 'members' NOT NULL,
	`state_visibility` text DEFAULT 'members' NOT NULL,
	`expertise_visibility` text DEFAULT 'members' NOT NULL,
	`languages_visibility` text DEFAULT 'members' NOT NULL,
	`bio_visibility` text DEFAULT 'members' NOT NULL,
	`contact_visibility` text DEFAULT 'members' NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`photo_image_id`) REFERENCES `images`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `member_profiles_state_idx` ON `member_profiles` (`state`);--> statement-breakpoint
CREATE TABLE `conversation_members` (
	`conversation_id` integer NOT NULL,
	`member_id` integer NOT NULL,
	`last_read_message_id` integer DEFAULT 0 NOT NULL,
	`unread_count` integer DEFAULT 0 NOT NULL,
	`last_message_at` integer,
	PRIMARY KEY(`conversation_id`, `member_id`),
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `conversation_members_inbox_idx` ON `conversation_members` (`member_id`,`last_message_at`);--> statement-breakpoint
CREATE TABLE `conversations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`member_low` integer NOT NULL,
	`member_high` integer NOT NULL,
	`last_message_id` integer,
	`last_message_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`member_low`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`member_high`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `conversations_pair_idx` ON `conversations` (`member_low`,`member_high`);--> statement-breakpoint
CREATE INDEX `conversations_high_idx` ON `conversations` (`member_high`);--> statement-breakpoint
CREATE TABLE `message_flags` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`message_id` integer NOT NULL,
	`flagger_id` integer NOT NULL,
	`reason` text NOT NULL,
	`note` text,
	`created_at` integer NOT NULL,
	`resolved_at` integer,
	`resolved_by` integer,
	`outcome` text,
	FOREIGN KEY (`message_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`flagger_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`resolved_by`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `message_flags_open_idx` ON `message_flags` (`message_id`,`flagger_id`) WHERE resolved_at IS NULL;--> statement-breakpoint
CREATE INDEX `message_flags_queue_idx` ON `message_flags` (`created_at`) WHERE resolved_at IS NULL;--> statement-breakpoint
CREATE TABLE `messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`conversation_id` integer NOT NULL,
	`sender_id` integer NOT NULL,
	`body` text NOT NULL,
	`body_html` text NOT NULL,
	`body_text` text NOT NULL,
	`created_at` integer NOT NULL,
	`deleted_at` integer,
	`hidden_at` integer,
	`hidden_reason` text,
	`purged_at` integer,
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`sender_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `messages_conversation_idx` ON `messages` (`conversation_id`,`id`);--> statement-breakpoint
CREATE TABLE `suggestion_status_changes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`suggestion_id` integer NOT NULL,
	`from_status` text NOT NULL,
	`to_status` text NOT NULL,
	`note` text,
	`duplicate_of_id` integer,
	`changed_by` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`suggestion_id`) REFERENCES `suggestions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`duplicate_of_id`) REFERENCES `suggestions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`changed_by`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `suggestion_status_changes_idx` ON `suggestion_status_changes` (`suggestion_id`,`id`);--> statement-breakpoint
CREATE TABLE `suggestion_votes` (
	`suggestion_id` integer NOT NULL,
	`member_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`suggestion_id`, `member_id`),
	FOREIGN KEY (`suggestion_id`) REFERENCES `suggestions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `suggestion_votes_member_idx` ON `suggestion_votes` (`member_id`);--> statement-breakpoint
CREATE TABLE `suggestions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`author_id` integer NOT NULL,
	`title` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`description_html` text DEFAULT '' NOT NULL,
	`description_text` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'new' NOT NULL,
	`status_note` text,
	`status_changed_at` integer,
	`status_changed_by` integer,
	`duplicate_of_id` integer,
	`vote_count` integer DEFAULT 0 NOT NULL,
	`category_id` integer NOT NULL,
	`thread_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer,
	FOREIGN KEY (`author_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`status_changed_by`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`duplicate_of_id`) REFERENCES `suggestions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`category_id`) REFERENCES `categories`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`thread_id`) REFERENCES `threads`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `suggestions_votes_idx` ON `suggestions` (`vote_count`,`id`);--> statement-breakpoint
CREATE INDEX `suggestions_created_idx` ON `suggestions` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `suggestions_status_idx` ON `suggestions` (`status`,`vote_count`,`id`);--> statement-breakpoint
CREATE INDEX `suggestions_author_idx` ON `suggestions` (`author_id`);--> statement-breakpoint
ALTER TABLE `task_forces` ADD `region` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `task_forces` ADD `description` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `categories` ADD `attached_kind` text;