-- The example application database that the tasks in tasks/ work on.
-- Every time is Unix seconds (INTEGER), every flag 0 or 1.
-- examples/data/seed.lua holds this same text and runs it statement by statement,
-- so keep the two identical and put no semicolon in a comment.

CREATE TABLE IF NOT EXISTS users (
  id           INTEGER PRIMARY KEY,
  email        TEXT NOT NULL UNIQUE,
  online       INTEGER NOT NULL DEFAULT 0,
  last_seen_at INTEGER
);

CREATE INDEX IF NOT EXISTS users_online_last_seen ON users (online, last_seen_at);

CREATE TABLE IF NOT EXISTS two_factor_tokens (
  id         INTEGER PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users (id),
  code       TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS two_factor_tokens_expires ON two_factor_tokens (expires_at);

CREATE TABLE IF NOT EXISTS accounts (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL,
  billing_email TEXT NOT NULL,
  created_at    INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS usage (
  id           INTEGER PRIMARY KEY,
  account_id   INTEGER NOT NULL REFERENCES accounts (id),
  metric       TEXT NOT NULL,
  amount_cents INTEGER NOT NULL,
  recorded_at  INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS usage_recorded ON usage (recorded_at);

CREATE TABLE IF NOT EXISTS invoices (
  id               INTEGER PRIMARY KEY,
  account_id       INTEGER NOT NULL REFERENCES accounts (id),
  period           TEXT NOT NULL,
  currency         TEXT NOT NULL,
  amount_cents     INTEGER NOT NULL,
  created_at       INTEGER NOT NULL,
  due_at           INTEGER NOT NULL,
  paid             INTEGER NOT NULL DEFAULT 0,
  paid_at          INTEGER,
  reminder_count   INTEGER NOT NULL DEFAULT 0,
  last_reminded_at INTEGER
);

CREATE UNIQUE INDEX IF NOT EXISTS invoices_account_period ON invoices (account_id, period);

CREATE INDEX IF NOT EXISTS invoices_unpaid_due ON invoices (paid, due_at);

CREATE TABLE IF NOT EXISTS email_outbox (
  id         INTEGER PRIMARY KEY,
  recipient  TEXT NOT NULL,
  subject    TEXT NOT NULL,
  body       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  sent_at    INTEGER
);

CREATE TABLE IF NOT EXISTS activity (
  id         INTEGER PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users (id),
  kind       TEXT NOT NULL,
  detail     TEXT,
  created_at INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS activity_created ON activity (created_at);

CREATE TABLE IF NOT EXISTS activity_archive (
  id          INTEGER PRIMARY KEY,
  user_id     INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  detail      TEXT,
  created_at  INTEGER NOT NULL,
  archived_at INTEGER NOT NULL
);
