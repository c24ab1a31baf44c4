-- Account search by name lists the names that start with the text in name order, 50 at a time:
-- with this index that is a range read in order, a few milliseconds whatever the mirror's size.
-- The text_pattern_ops index it replaces could find the names but not give their order, so a word
-- that starts 30,000 names of a million read and sorted all of them (over 400 ms). "C" ordering
-- is what LIKE needs to use a btree on any database collation.
CREATE INDEX sf_account_name_order_idx ON sf_account ((lower(name) COLLATE "C"), id);
DROP INDEX IF EXISTS sf_account_name_prefix_idx;
