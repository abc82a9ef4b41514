-- Text search moves off the ingest path (src/events/text-index.ts): no insert trigger; a background
-- indexer adds committed events to a word index, and queries check events past its watermark directly.
DROP TRIGGER `events_text_insert`;
--> statement-breakpoint
DROP TRIGGER `events_text_delete`;
--> statement-breakpoint
DROP TABLE `events_text`;
--> statement-breakpoint
-- Each event's searched text as tokens with positions (detail=full), no content. `body`: its words,
-- split where text-search.ts splits them, and its runs of separators, each one token starting with
-- `~` (text-search.ts textTokens), so that a term like `github.push.opened` is a phrase of adjacent
-- tokens. `pairs`: the pairs of words around each run, one token each (`github~.push`), in order,
-- so that such a term is one token or a phrase of pairs (text-search.ts textPairs). The ascii
-- tokenizer folds ASCII case only, like lower().
CREATE VIRTUAL TABLE `events_words` USING fts5(body, pairs, content='', contentless_delete=1, detail=full, tokenize="ascii tokenchars '_~'");
--> statement-breakpoint
-- Every event with seq <= watermark is in events_words; written in the same transaction as each batch.
CREATE TABLE `events_words_state` (`id` integer PRIMARY KEY CHECK (`id` = 1), `watermark` integer NOT NULL);
--> statement-breakpoint
INSERT INTO `events_words_state` (`id`, `watermark`) VALUES (1, 0);
--> statement-breakpoint
-- Every word and separator token ever indexed; the words have a trigram index to find the words
-- that contain a search term (separator tokens, few, are read by their `~` range).
CREATE TABLE `events_words_vocab` (`id` integer PRIMARY KEY, `word` text NOT NULL UNIQUE);
--> statement-breakpoint
CREATE VIRTUAL TABLE `events_words_grams` USING fts5(word, content='events_words_vocab', content_rowid='id', detail=none, tokenize='trigram case_sensitive 1');
--> statement-breakpoint
-- Retention (and any other delete) keeps the index exact; events past the watermark were never indexed.
CREATE TRIGGER `events_words_delete` AFTER DELETE ON `events` WHEN old.seq <= (SELECT `watermark` FROM `events_words_state`) BEGIN
  DELETE FROM events_words WHERE rowid = old.seq;
END;
