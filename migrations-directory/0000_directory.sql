CREATE TABLE `accounts` (
	`username` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`email` text NOT NULL,
	`shard` text NOT NULL,
	`state` text NOT NULL,
	`created` real NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `accounts_email` ON `accounts` (`email`);--> statement-breakpoint
CREATE UNIQUE INDEX `accounts_user_id` ON `accounts` (`user_id`);--> statement-breakpoint
CREATE INDEX `accounts_shard` ON `accounts` (`shard`);--> statement-breakpoint
CREATE TABLE `attempt_counters` (
	`key` text PRIMARY KEY NOT NULL,
	`window_start` real NOT NULL,
	`count` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `mail_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`recipient` text NOT NULL,
	`subject` text NOT NULL,
	`body` text NOT NULL,
	`created` real NOT NULL
);
--> statement-breakpoint
CREATE TABLE `shard_loads` (
	`shard` text PRIMARY KEY NOT NULL,
	`accounts` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `share_codes` (
	`code_hash` text PRIMARY KEY NOT NULL,
	`username` text NOT NULL
);
