DROP INDEX `audit_records_id`;--> statement-breakpoint
DROP INDEX `audit_records_time`;--> statement-breakpoint
CREATE UNIQUE INDEX `audit_records_time` ON `audit_records` (`user_id`,`time`,`id`);