CREATE TABLE `accesses` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`token_hash` text,
	`token_sealed` text,
	`type` text NOT NULL,
	`name` text NOT NULL,
	`device_name` text,
	`permissions` text DEFAULT '[]' NOT NULL,
	`expires` real,
	`session_expires` real,
	`last_used` real,
	`client_data` text,
	`parent_id` text,
	`created` real NOT NULL,
	`created_by` text NOT NULL,
	`modified` real NOT NULL,
	`modified_by` text NOT NULL,
	`deleted` real
);
--> statement-breakpoint
CREATE UNIQUE INDEX `accesses_token` ON `accesses` (`user_id`,`token_hash`) WHERE deleted IS NULL AND token_hash IS NOT NULL;--> statement-breakpoint
CREATE INDEX `accesses_user_name` ON `accesses` (`user_id`,`type`,`name`);--> statement-breakpoint
CREATE INDEX `accesses_parent` ON `accesses` (`user_id`,`parent_id`);--> statement-breakpoint
CREATE TABLE `event_streams` (
	`user_id` text NOT NULL,
	`stream_id` text NOT NULL,
	`event_id` text NOT NULL,
	`time` real NOT NULL,
	PRIMARY KEY(`user_id`, `stream_id`, `event_id`)
);
--> statement-breakpoint
CREATE INDEX `event_streams_time` ON `event_streams` (`user_id`,`stream_id`,`time`);--> statement-breakpoint
CREATE INDEX `event_streams_event` ON `event_streams` (`user_id`,`event_id`);--> statement-breakpoint
CREATE TABLE `events` (
	`user_id` text NOT NULL,
	`id` text NOT NULL,
	`stream_ids` text NOT NULL,
	`time` real NOT NULL,
	`duration` real,
	`running` integer DEFAULT false NOT NULL,
	`end_time` real,
	`type` text NOT NULL,
	`content` text,
	`tags` text DEFAULT '[]' NOT NULL,
	`description` text,
	`client_data` text,
	`trashed` integer DEFAULT false NOT NULL,
	`attachments` text,
	`created` real NOT NULL,
	`created_by` text NOT NULL,
	`modified` real NOT NULL,
	`modified_by` text NOT NULL,
	`deleted` real,
	PRIMARY KEY(`user_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `events_time` ON `events` (`user_id`,`time`) WHERE deleted IS NULL;--> statement-breakpoint
CREATE INDEX `events_modified` ON `events` (`user_id`,`modified`);--> statement-breakpoint
CREATE INDEX `events_deleted` ON `events` (`user_id`,`deleted`) WHERE deleted IS NOT NULL;--> statement-breakpoint
CREATE TABLE `followed_slices` (
	`user_id` text NOT NULL,
	`id` text NOT NULL,
	`name` text NOT NULL,
	`url` text NOT NULL,
	`access_token` text NOT NULL,
	PRIMARY KEY(`user_id`, `id`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `followed_slices_name` ON `followed_slices` (`user_id`,`name`);--> statement-breakpoint
CREATE TABLE `stream_deletions` (
	`user_id` text NOT NULL,
	`id` text NOT NULL,
	`deleted` real NOT NULL
);
--> statement-breakpoint
CREATE INDEX `stream_deletions_user` ON `stream_deletions` (`user_id`,`deleted`);--> statement-breakpoint
CREATE TABLE `streams` (
	`user_id` text NOT NULL,
	`id` text NOT NULL,
	`name` text NOT NULL,
	`parent_id` text,
	`client_data` text,
	`trashed` integer DEFAULT false NOT NULL,
	`created` real NOT NULL,
	`created_by` text NOT NULL,
	`modified` real NOT NULL,
	`modified_by` text NOT NULL,
	PRIMARY KEY(`user_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `streams_parent` ON `streams` (`user_id`,`parent_id`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`username` text NOT NULL,
	`email` text NOT NULL,
	`password_hash` text NOT NULL,
	`language` text DEFAULT 'en' NOT NULL,
	`referer` text,
	`created` real NOT NULL,
	`streams_version` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_username` ON `users` (`username`);--> statement-breakpoint
CREATE UNIQUE INDEX `users_email` ON `users` (`email`);