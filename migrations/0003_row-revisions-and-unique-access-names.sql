ALTER TABLE `accesses` ADD `rev` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Live duplicates of (user, type, name, deviceName) could exist before this index (the name check was a read
-- before the insert): keep the newest of each, mark the others deleted, so the unique index can be created.
UPDATE `accesses` SET `deleted` = CAST(strftime('%s', 'now') AS REAL)
  WHERE `deleted` IS NULL AND rowid NOT IN (
    SELECT max(rowid) FROM `accesses` WHERE `deleted` IS NULL GROUP BY `user_id`, `type`, `name`, coalesce(`device_name`, '')
  );--> statement-breakpoint
CREATE UNIQUE INDEX `accesses_live_name` ON `accesses` (`user_id`,`type`,`name`,coalesce(`device_name`, '')) WHERE deleted IS NULL;--> statement-breakpoint
ALTER TABLE `events` ADD `rev` integer DEFAULT 0 NOT NULL;
