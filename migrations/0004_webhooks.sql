CREATE TABLE `webhooks` (
	`user_id` text NOT NULL,
	`id` text NOT NULL,
	`access_id` text NOT NULL,
	`url` text NOT NULL,
	`secret_sealed` text NOT NULL,
	`state` text DEFAULT 'active' NOT NULL,
	`current_retries` integer DEFAULT 0 NOT NULL,
	`run_count` integer DEFAULT 0 NOT NULL,
	`fail_count` integer DEFAULT 0 NOT NULL,
	`runs` text DEFAULT '[]' NOT NULL,
	`pending` text DEFAULT '[]' NOT NULL,
	`schedule_token` text,
	`inflight` text DEFAULT '[]' NOT NULL,
	`inflight_token` text,
	`next_run_at` real DEFAULT 0 NOT NULL,
	`created` real NOT NULL,
	`created_by` text NOT NULL,
	`modified` real NOT NULL,
	`modified_by` text NOT NULL,
	PRIMARY KEY(`user_id`, `id`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `webhooks_access_url` ON `webhooks` (`user_id`,`access_id`,`url`);--> statement-breakpoint
CREATE INDEX `webhooks_state` ON `webhooks` (`user_id`,`state`);