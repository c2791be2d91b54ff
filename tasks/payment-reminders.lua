--- @task payment-reminders
--- @schedule 0 9 * * MON-FRI
--- @tz Europe/Berlin
--- @description Queues a reminder email for every overdue unpaid invoice
--- @timeout 5m
--- @retries 2
--- @backoff 1m,15m
--- @overlap skip
--- @missed once
--- @config {"every_days": 3, "max_reminders": 3, "batch": 500}
--- @tag billing
--- @allow db:write
-- Replaces the CRM's "dunning" job: on working days, each invoice past its due date and
-- still unpaid gets a reminder in the email outbox (a mailer sends it), at most every
-- `every_days` days and at most `max_reminders` times. Queuing the email and counting the
-- reminder happen in one transaction, and the UPDATE only matches an invoice whose count
-- has not moved, so a retry or an overlapping run never reminds anyone twice.
local DAY = 86400
local now = math.floor(time.now())
local every = (task.config.every_days or 3) * DAY
local max_reminders = task.config.max_reminders or 3
local batch = task.config.batch or 500

local function money(cents, currency)
  return string.format("%d.%02d %s", cents // 100, cents % 100, currency)
end

local due = db.query([[
  SELECT i.id, i.period, i.currency, i.amount_cents, i.due_at, i.reminder_count,
         a.name, a.billing_email
  FROM invoices AS i JOIN accounts AS a ON a.id = i.account_id
  WHERE i.paid = 0 AND i.due_at < ? AND i.reminder_count < ?
    AND (i.last_reminded_at IS NULL OR i.last_reminded_at <= ?)
  ORDER BY i.due_at
  LIMIT ?
]], now, max_reminders, now - every, batch)

local reminded, final = db.tx(function()
  local reminded, final = 0, 0
  for _, invoice in ipairs(due) do
    local count = invoice.reminder_count + 1
    local claimed = db.exec([[
      UPDATE invoices SET reminder_count = ?, last_reminded_at = ?
      WHERE id = ? AND reminder_count = ? AND paid = 0
    ]], count, now, invoice.id, invoice.reminder_count)
    if claimed == 1 then
      local days_late = (now - invoice.due_at) // DAY
      local subject = string.format("%sReminder: invoice %s for %s is %d days overdue",
        count == max_reminders and "Final " or "", invoice.period, invoice.name, days_late)
      local body = string.format(
        "Hello %s,\n\nour invoice for %s over %s was due on %s and is still open.\n"
          .. "Please pay it at your earliest convenience.\n",
        invoice.name, invoice.period, money(invoice.amount_cents, invoice.currency),
        time.format(invoice.due_at):sub(1, 10))
      db.exec("INSERT INTO email_outbox (recipient, subject, body, created_at) VALUES (?, ?, ?, ?)",
        invoice.billing_email, subject, body, now)
      reminded = reminded + 1
      if count == max_reminders then
        final = final + 1
        log.warn("final payment reminder sent", { invoice = invoice.id, account = invoice.name, period = invoice.period })
      end
    end
  end
  return reminded, final
end)

log.info("queued payment reminders", { reminded = reminded, final = final, overdue_checked = #due })
return { reminded = reminded, final = final }
