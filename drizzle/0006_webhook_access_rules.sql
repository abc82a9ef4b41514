ALTER TABLE `webhooks` ADD `allowed_ips` text;--> statement-breakpoint
ALTER TABLE `webhooks` ADD `rate_limit` text;