-- Creates the example application database that the tasks in tasks/ work on, and fills
-- it with rows placed relative to now, so that every task finds work on a fresh run.
-- Run it with cronpp itself (a script's own header grants nothing, so grant db:write):
--
--   cronpp run --script examples/data/seed.lua --data-db /tmp/example-data.sqlite --allow db:write
--
-- Running it again starts over: the tables are created when missing, emptied, and
-- seeded again, all in one transaction. Lua cannot read files, so the schema is kept
-- below; examples/data/schema.sql holds the same text for readers and for sqlite3.

local SCHEMA = [==[
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
]==]

local DAY = 86400
local now = math.floor(time.now())

-- The start of the UTC month that holds `t`, and that month as "YYYY-MM".
local function month_of(t)
  local d = os.date("!*t", t)
  local start = t - ((d.day - 1) * DAY + d.hour * 3600 + d.min * 60 + d.sec)
  return start, string.format("%04d-%02d", d.year, d.month)
end

local this_month = month_of(now)
local last_month, last_period = month_of(this_month - 1)
local older_month, older_period = month_of(last_month - 1)
local _, oldest_period = month_of(older_month - 1)

local function run_schema()
  local statements = 0
  for statement in SCHEMA:gmatch("[^;]+") do
    -- Skip what is left after the last semicolon (blank) and comment-only pieces.
    if statement:gsub("%-%-[^\n]*", ""):find("%S") then
      db.exec(statement)
      statements = statements + 1
    end
  end
  return statements
end

-- Children before parents, in case the connection enforces foreign keys.
local TABLES = {
  "activity_archive", "activity", "email_outbox", "invoices", "usage", "accounts",
  "two_factor_tokens", "users",
}

local function seed_users()
  -- { email, online, seconds since the last heartbeat (nil: never seen) }
  local users = {
    { "alice@example.com", 1, 20 },
    { "bob@example.com", 1, 45 },
    { "carol@example.com", 1, 600 },    -- stale: mark-users-offline takes her offline
    { "dave@example.com", 1, 3600 },    -- stale
    { "erin@example.com", 1, DAY },     -- stale
    { "frank@example.com", 0, 7200 },
    { "grace@example.com", 0, nil },
    { "heidi@example.com", 1, 120 },
  }
  for i, u in ipairs(users) do
    local seen = u[3] and now - u[3] or nil
    db.exec("INSERT INTO users (id, email, online, last_seen_at) VALUES (?, ?, ?, ?)", i, u[1], u[2], seen)
  end
  -- Two-factor codes: five expired (cleanup-expired-tokens removes them), two still valid.
  local offsets = { -60, -600, -3600, -DAY, -7 * DAY, 300, 540 }
  for i, offset in ipairs(offsets) do
    db.exec("INSERT INTO two_factor_tokens (user_id, code, expires_at) VALUES (?, ?, ?)",
      (i - 1) % 6 + 1, string.format("%06d", (i * 7919) % 1000000), now + offset)
  end
  return #users, #offsets
end

local function seed_billing()
  local accounts = {
    { "Acme GmbH", "billing@acme.example" },
    { "Globex Corporation", "ap@globex.example" },
    { "Initech", "finance@initech.example" },
  }
  for i, a in ipairs(accounts) do
    db.exec("INSERT INTO accounts (id, name, billing_email, created_at) VALUES (?, ?, ?, ?)",
      i, a[1], a[2], now - 365 * DAY)
  end
  -- Last month's usage, which monthly-billing invoices, and some of this month's,
  -- which it must leave alone.
  local usage = 0
  for account = 1, #accounts do
    for k = 1, 6 do
      db.exec("INSERT INTO usage (account_id, metric, amount_cents, recorded_at) VALUES (?, ?, ?, ?)",
        account, k % 2 == 0 and "storage_gb" or "api_calls", 250 * account + 40 * k,
        this_month - k * 3 * DAY - 3600)
      usage = usage + 1
    end
    db.exec("INSERT INTO usage (account_id, metric, amount_cents, recorded_at) VALUES (?, ?, ?, ?)",
      account, "api_calls", 999, math.max(this_month, now - 60))
    usage = usage + 1
  end
  -- Earlier invoices. payment-reminders finds two to remind: Globex's, overdue and never
  -- reminded, and Initech's, reminded once five days ago. Acme paid; Globex's oldest
  -- invoice has had its three reminders already.
  local invoices = {
    -- account, period, amount, due (seconds from now), paid, reminders, last reminded
    { 1, older_period, 4200, -10 * DAY, 1, 0, nil },
    { 2, older_period, 5150, -10 * DAY, 0, 0, nil },
    { 3, older_period, 6100, -20 * DAY, 0, 1, now - 5 * DAY },
    { 2, oldest_period, 4980, -40 * DAY, 0, 3, now - 2 * DAY },
  }
  for _, v in ipairs(invoices) do
    local due = now + v[4]
    db.exec([[
      INSERT INTO invoices (account_id, period, currency, amount_cents, created_at, due_at,
                            paid, paid_at, reminder_count, last_reminded_at)
      VALUES (?, ?, 'EUR', ?, ?, ?, ?, ?, ?, ?)
    ]], v[1], v[2], v[3], due - 14 * DAY, due, v[5], v[5] == 1 and due - DAY or nil, v[6], v[7])
  end
  return #accounts, usage, #invoices
end

local function seed_activity()
  local kinds = { "login", "view", "export", "comment" }
  local old, recent = 1200, 300
  for i = 1, old do
    -- 91 to 390 days ago: older than old-activity-archiver's default of 90 days.
    db.exec("INSERT INTO activity (user_id, kind, detail, created_at) VALUES (?, ?, ?, ?)",
      i % 8 + 1, kinds[i % 4 + 1], "seed " .. i, now - (91 + i % 300) * DAY - i)
  end
  for i = 1, recent do
    db.exec("INSERT INTO activity (user_id, kind, detail, created_at) VALUES (?, ?, ?, ?)",
      i % 8 + 1, kinds[i % 4 + 1], "recent " .. i, now - (i % 80) * DAY - i)
  end
  return old, recent
end

local summary = db.tx(function()
  local statements = run_schema()
  for _, name in ipairs(TABLES) do db.exec("DELETE FROM " .. name) end
  local users, tokens = seed_users()
  local accounts, usage, invoices = seed_billing()
  local old, recent = seed_activity()
  return {
    schema_statements = statements,
    users = users, two_factor_tokens = tokens, accounts = accounts, usage = usage,
    invoices = invoices, activity = old + recent,
    expect = {
      ["cleanup-expired-tokens"] = { removed = 5 },
      ["mark-users-offline"] = { offline = 3 },
      ["monthly-billing"] = { period = last_period, invoices = accounts },
      ["payment-reminders"] = { reminded = 2 },
      ["old-activity-archiver"] = { archived = old },
    },
  }
end)

log.info("seeded the example data", { period_to_bill = last_period, activity_to_archive = summary.expect["old-activity-archiver"].archived })
return summary
