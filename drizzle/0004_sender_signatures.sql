CREATE TABLE `dedup_keys` (
	`webhook_id` text NOT NULL,
	`key` text NOT NULL,
	`event_id` text NOT NULL,
	`stored` integer NOT NULL,
	PRIMARY KEY(`webhook_id`, `key`),
	FOREIGN KEY (`webhook_id`) REFERENCES `webhooks`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `dedup_keys_stored` ON `dedup_keys` (`stored`);--> statement-breakpoint
ALTER TABLE `webhooks` ADD `verification` text;--> statement-breakpoint
ALTER TABLE `webhooks` ADD `dedup_key` text;--> statement-breakpoint
ALTER TABLE `webhooks` ADD `duplicates` integer DEFAULT 0 NOT NULL;