--- @task monthly-billing
--- @schedule 0 3 1 * *
--- @tz Europe/Berlin
--- @description Invoices every account for last month's usage
--- @timeout 15m
--- @retries 2
--- @backoff 5m,30m
--- @overlap skip
--- @missed once
--- @config {"currency": "EUR", "due_days": 14}
--- @tag billing
--- @allow db:write
-- Replaces the 1st-of-the-month billing cron job. The invoice period is the calendar month
-- (in UTC) before the fire this run is for: a catch-up run started days late still bills
-- the month it was meant to. The unique (account_id, period) index makes a retry or a
-- second run insert nothing twice.
local DAY = 86400
local as_of = math.floor(run.scheduled_at or time.now())
local now = math.floor(time.now())

-- The start of the UTC month that holds `t`, and that month as "YYYY-MM".
local function month_of(t)
  local d = os.date("!*t", t)
  return t - ((d.day - 1) * DAY + d.hour * 3600 + d.min * 60 + d.sec), string.format("%04d-%02d", d.year, d.month)
end

local period_end = month_of(as_of)
local period_start, period = month_of(period_end - 1)
local currency = task.config.currency or "EUR"
local due_at = now + (task.config.due_days or 14) * DAY

local n = db.exec([[
  INSERT INTO invoices (account_id, period, currency, amount_cents, created_at, due_at)
  SELECT account_id, ?, ?, SUM(amount_cents), ?, ?
  FROM usage
  WHERE recorded_at >= ? AND recorded_at < ?
  GROUP BY account_id
  HAVING SUM(amount_cents) > 0
  ON CONFLICT (account_id, period) DO NOTHING
]], period, currency, now, due_at, period_start, period_end)

local total = db.query("SELECT COUNT(*) AS invoices, COALESCE(SUM(amount_cents), 0) AS cents FROM invoices WHERE period = ?", period)[1]
log.info("invoiced accounts", { period = period, created = n, invoices = total.invoices, total_cents = total.cents })
return { period = period, created = n, invoices = total.invoices, total_cents = total.cents }
