CREATE TABLE `access_history` (
	`user_id` text NOT NULL,
	`access_id` text NOT NULL,
	`serial` integer NOT NULL,
	`name` text NOT NULL,
	`device_name` text,
	`permissions` text NOT NULL,
	`expires` real,
	`client_data` text,
	`modified` real NOT NULL,
	`modified_by` text NOT NULL,
	PRIMARY KEY(`user_id`, `access_id`, `serial`)
);
--> statement-breakpoint
CREATE TABLE `profiles` (
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`data` text NOT NULL,
	`rev` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`user_id`, `name`)
);
--> statement-breakpoint
ALTER TABLE `accesses` ADD `serial` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `storage_db_bytes` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `storage_files_bytes` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- storageUsed (§4.10) is kept by these triggers, in the statement that writes the event: no path that writes
-- events (create, update, trash, delete for good, streams.delete) can forget it, and account.get reads two
-- columns instead of scanning the account. A row's size is its text columns in bytes plus 64 for the numeric
-- ones; files are the `size` of each attachment. A migration that rebuilds `events` must recreate them.
CREATE TRIGGER `events_storage_insert` AFTER INSERT ON `events` BEGIN
  UPDATE `users` SET `storage_db_bytes` = `storage_db_bytes` + (length(CAST(NEW.id AS BLOB)) + length(CAST(NEW.stream_ids AS BLOB)) + length(CAST(NEW.type AS BLOB)) + length(CAST(NEW.tags AS BLOB)) + length(CAST(NEW.created_by AS BLOB)) + length(CAST(NEW.modified_by AS BLOB)) + coalesce(length(CAST(NEW.content AS BLOB)), 0) + coalesce(length(CAST(NEW.description AS BLOB)), 0) + coalesce(length(CAST(NEW.client_data AS BLOB)), 0) + 64),
    `storage_files_bytes` = `storage_files_bytes` + coalesce((SELECT sum(json_extract(value, '$.size')) FROM json_each(NEW.attachments)), 0)
  WHERE `id` = NEW.user_id;
END;--> statement-breakpoint
CREATE TRIGGER `events_storage_update` AFTER UPDATE OF `stream_ids`, `type`, `tags`, `content`, `description`, `client_data`, `attachments`, `modified_by` ON `events` BEGIN
  UPDATE `users` SET `storage_db_bytes` = `storage_db_bytes` + (length(CAST(NEW.id AS BLOB)) + length(CAST(NEW.stream_ids AS BLOB)) + length(CAST(NEW.type AS BLOB)) + length(CAST(NEW.tags AS BLOB)) + length(CAST(NEW.created_by AS BLOB)) + length(CAST(NEW.modified_by AS BLOB)) + coalesce(length(CAST(NEW.content AS BLOB)), 0) + coalesce(length(CAST(NEW.description AS BLOB)), 0) + coalesce(length(CAST(NEW.client_data AS BLOB)), 0) + 64) - (length(CAST(OLD.id AS BLOB)) + length(CAST(OLD.stream_ids AS BLOB)) + length(CAST(OLD.type AS BLOB)) + length(CAST(OLD.tags AS BLOB)) + length(CAST(OLD.created_by AS BLOB)) + length(CAST(OLD.modified_by AS BLOB)) + coalesce(length(CAST(OLD.content AS BLOB)), 0) + coalesce(length(CAST(OLD.description AS BLOB)), 0) + coalesce(length(CAST(OLD.client_data AS BLOB)), 0) + 64),
    `storage_files_bytes` = `storage_files_bytes` + coalesce((SELECT sum(json_extract(value, '$.size')) FROM json_each(NEW.attachments)), 0) - coalesce((SELECT sum(json_extract(value, '$.size')) FROM json_each(OLD.attachments)), 0)
  WHERE `id` = NEW.user_id;
END;--> statement-breakpoint
CREATE TRIGGER `events_storage_delete` AFTER DELETE ON `events` BEGIN
  UPDATE `users` SET `storage_db_bytes` = `storage_db_bytes` - (length(CAST(OLD.id AS BLOB)) + length(CAST(OLD.stream_ids AS BLOB)) + length(CAST(OLD.type AS BLOB)) + length(CAST(OLD.tags AS BLOB)) + length(CAST(OLD.created_by AS BLOB)) + length(CAST(OLD.modified_by AS BLOB)) + coalesce(length(CAST(OLD.content AS BLOB)), 0) + coalesce(length(CAST(OLD.description AS BLOB)), 0) + coalesce(length(CAST(OLD.client_data AS BLOB)), 0) + 64),
    `storage_files_bytes` = `storage_files_bytes` - coalesce((SELECT sum(json_extract(value, '$.size')) FROM json_each(OLD.attachments)), 0)
  WHERE `id` = OLD.user_id;
END;--> statement-breakpoint
-- Accounts that already hold events start from their current sizes (the one scan, at migration time).
UPDATE `users` SET
  `storage_db_bytes` = coalesce((SELECT sum((length(CAST(e.id AS BLOB)) + length(CAST(e.stream_ids AS BLOB)) + length(CAST(e.type AS BLOB)) + length(CAST(e.tags AS BLOB)) + length(CAST(e.created_by AS BLOB)) + length(CAST(e.modified_by AS BLOB)) + coalesce(length(CAST(e.content AS BLOB)), 0) + coalesce(length(CAST(e.description AS BLOB)), 0) + coalesce(length(CAST(e.client_data AS BLOB)), 0) + 64)) FROM `events` e WHERE e.user_id = `users`.id), 0),
  `storage_files_bytes` = coalesce((SELECT sum(coalesce((SELECT sum(json_extract(value, '$.size')) FROM json_each(e.attachments)), 0)) FROM `events` e WHERE e.user_id = `users`.id), 0);
