CREATE TABLE `audit_checkpoints` (
	`user_id` text NOT NULL,
	`seq` integer NOT NULL,
	`hash` text NOT NULL,
	`signed` real NOT NULL,
	`key_id` text NOT NULL,
	`signature` text NOT NULL,
	PRIMARY KEY(`user_id`, `seq`)
);
--> statement-breakpoint
CREATE TABLE `audit_heads` (
	`user_id` text PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL,
	`hash` text NOT NULL,
	`anchor_seq` integer DEFAULT 0 NOT NULL,
	`anchor_hash` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `audit_records` (
	`user_id` text NOT NULL,
	`seq` integer NOT NULL,
	`id` text NOT NULL,
	`time` real NOT NULL,
	`access_id` text NOT NULL,
	`method_id` text NOT NULL,
	`source_name` text NOT NULL,
	`source_ip` text NOT NULL,
	`query` text NOT NULL,
	`error_id` text,
	`error_message` text,
	`prev_hash` text NOT NULL,
	PRIMARY KEY(`user_id`, `seq`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `audit_records_id` ON `audit_records` (`user_id`,`id`);--> statement-breakpoint
CREATE INDEX `audit_records_time` ON `audit_records` (`user_id`,`time`,`id`);--> statement-breakpoint
CREATE INDEX `audit_records_access` ON `audit_records` (`user_id`,`access_id`,`time`);--> statement-breakpoint
CREATE INDEX `audit_records_method` ON `audit_records` (`user_id`,`method_id`,`time`);