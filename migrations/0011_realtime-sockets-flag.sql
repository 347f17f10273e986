-- Nothing to add to 0010's freeze triggers: `users_frozen_update` refuses any update of a frozen `users` row, this
-- column's included, so the account's object cannot raise the flag while the account is being moved
-- (docs/decisions/032-realtime-sockets-flag.md).
ALTER TABLE `users` ADD `realtime_sockets` integer DEFAULT 0 NOT NULL;
