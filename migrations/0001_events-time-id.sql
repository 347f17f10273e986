DROP INDEX `events_time`;--> statement-breakpoint
CREATE INDEX `events_time` ON `events` (`user_id`,`time`,`id`) WHERE deleted IS NULL;