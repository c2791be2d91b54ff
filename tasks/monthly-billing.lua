--- @task monthly-billing
--- @schedule 0 3 1 * *
--- @tz Europe/Berlin
--- @description Invoices every account for last month's usage
--- @timeout 15m
--- @retries 2
--- @backoff 5m,30m
--- @overlap skip
--- @missed once
--- @config {"currency": "EUR"}
--- @tag billing
--- @allow db:write
-- Replaces the 1st-of-the-month billing cron job. The invoice period is the calendar month
-- before this run (in UTC); the unique (account_id, period) index makes a retry or a
-- catch-up run insert nothing twice.
local now = math.floor(time.now())
local today = os.date("!*t", now)
local year, month = today.year, today.month - 1
if month == 0 then
  year, month = year - 1, 12
end
local period = string.format("%04d-%02d", year, month)
local currency = task.config.currency or "EUR"

local n = db.exec([[
  INSERT INTO invoices (account_id, period, currency, amount_cents, created_at)
  SELECT account_id, ?, ?, SUM(amount_cents), ?
  FROM usage_records
  WHERE period = ?
  GROUP BY account_id
  ON CONFLICT (account_id, period) DO NOTHING
]], period, currency, now, period)
log.info("invoiced accounts", { period = period, invoices = n })
return { period = period, invoices = n }
