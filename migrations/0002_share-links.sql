CREATE TABLE `share_links` (
	`code_hash` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`access_id` text NOT NULL,
	`created` real NOT NULL
);
--> statement-breakpoint
CREATE INDEX `share_links_access` ON `share_links` (`access_id`);