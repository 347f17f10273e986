CREATE TABLE `blob_cleanup` (
	`prefix` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`due` real NOT NULL
);
--> statement-breakpoint
CREATE INDEX `blob_cleanup_due` ON `blob_cleanup` (`due`);