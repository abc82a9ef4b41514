-- Text search for the events filter (src/events/text-search.ts): a trigram index over each
-- event's searched text, ASCII-lowercased, kept in step with the events table by triggers.
-- Contentless (the text is not stored twice); contentless_delete lets retention remove rows.
CREATE VIRTUAL TABLE `events_text` USING fts5(body, content='', contentless_delete=1, tokenize='trigram case_sensitive 1');
--> statement-breakpoint
CREATE TRIGGER `events_text_insert` AFTER INSERT ON `events` BEGIN
  INSERT INTO events_text(rowid, body) VALUES (new.seq, lower(json_extract(new.data, '$.event') || ' ' || (SELECT group_concat(value, ' ') FROM json_each(new.data, '$.resource')) || ' ' || coalesce((SELECT group_concat(l.value, ' ') FROM json_each(new.data, '$.related') r, json_each(r.value) l), '') || ' ' || json_extract(new.data, '$.payload')));
END;
--> statement-breakpoint
CREATE TRIGGER `events_text_delete` AFTER DELETE ON `events` BEGIN
  DELETE FROM events_text WHERE rowid = old.seq;
END;
--> statement-breakpoint
INSERT INTO events_text(rowid, body) SELECT seq, lower(json_extract(data, '$.event') || ' ' || (SELECT group_concat(value, ' ') FROM json_each(data, '$.resource')) || ' ' || coalesce((SELECT group_concat(l.value, ' ') FROM json_each(data, '$.related') r, json_each(r.value) l), '') || ' ' || json_extract(data, '$.payload')) FROM events;
--> statement-breakpoint
-- Counting the events of one resource (e.g. every event a webhook produced) must be exact and fast:
-- in event_seq order, DISTINCT needs no sort, and role and occurred are read from the index itself.
CREATE INDEX `event_resources_resource_seq` ON `event_resources` (`resource_id`, `event_seq`, `role`, `occurred`);
