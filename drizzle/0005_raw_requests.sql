CREATE TABLE `raw_requests` (
	`event_seq` integer PRIMARY KEY NOT NULL,
	`webhook_id` text NOT NULL,
	`received` integer NOT NULL,
	`method` text NOT NULL,
	`query` text NOT NULL,
	`headers` text NOT NULL,
	`body` blob NOT NULL,
	FOREIGN KEY (`event_seq`) REFERENCES `events`(`seq`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `raw_requests_webhook` ON `raw_requests` (`webhook_id`,`event_seq`);