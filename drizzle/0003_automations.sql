CREATE TABLE `automation_state` (
	`automation_id` text NOT NULL,
	`trigger_id` text NOT NULL,
	`bucket` text NOT NULL,
	`data` text NOT NULL,
	`due` integer,
	PRIMARY KEY(`automation_id`, `trigger_id`, `bucket`),
	FOREIGN KEY (`automation_id`) REFERENCES `automations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `automation_state_due` ON `automation_state` (`due`);--> statement-breakpoint
CREATE TABLE `automations` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`data` text NOT NULL,
	`paused_reason` text,
	`created` integer NOT NULL,
	`updated` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `automations_name` ON `automations` (`name`);--> statement-breakpoint
CREATE TABLE `deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`automation_id` text NOT NULL,
	`firing_id` text NOT NULL,
	`action_index` integer NOT NULL,
	`action` text NOT NULL,
	`context` text NOT NULL,
	`destination_id` text,
	`status` text NOT NULL,
	`attempt_count` integer DEFAULT 0 NOT NULL,
	`next_attempt` integer,
	`request` text,
	`reason` text,
	`triggered_event_id` text NOT NULL,
	`created` integer NOT NULL,
	`updated` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `deliveries_due` ON `deliveries` (`status`,`next_attempt`);--> statement-breakpoint
CREATE INDEX `deliveries_automation` ON `deliveries` (`automation_id`,`created`);--> statement-breakpoint
CREATE INDEX `deliveries_destination` ON `deliveries` (`destination_id`,`status`);--> statement-breakpoint
CREATE TABLE `delivery_attempts` (
	`delivery_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`at` integer NOT NULL,
	`status_code` integer,
	`duration_ms` integer NOT NULL,
	`error` text,
	`response` text,
	`request` text,
	PRIMARY KEY(`delivery_id`, `attempt`),
	FOREIGN KEY (`delivery_id`) REFERENCES `deliveries`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `destinations` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`config` text NOT NULL,
	`secrets` text NOT NULL,
	`signing_secrets` text DEFAULT '[]' NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`disabled_reason` text,
	`created` integer NOT NULL,
	`updated` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `destinations_name` ON `destinations` (`name`);--> statement-breakpoint
CREATE TABLE `progress` (
	`name` text PRIMARY KEY NOT NULL,
	`value` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `staged_events` (
	`id` text PRIMARY KEY NOT NULL,
	`data` text NOT NULL,
	`created` integer NOT NULL
);
