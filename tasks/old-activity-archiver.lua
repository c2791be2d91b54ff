--- @task old-activity-archiver
--- @schedule 30 2 * * *
--- @tz Europe/Berlin
--- @description Moves activity rows older than N days into activity_archive
--- @timeout 10m
--- @retries 1
--- @backoff 15m
--- @overlap skip
--- @missed once
--- @config {"days": 90, "batch": 500, "max_batches": 200}
--- @tag maintenance
--- @allow db:write
-- Replaces the nightly "archive old activity" script. Rows move in batches of `batch`,
-- each batch copied and deleted in one transaction: a run that times out keeps the
-- batches it finished, and the next run goes on from there. At most `max_batches`
-- batches run per night, so one night never holds the table for long.
-- The cutoff and a running total are kept in kv (for a stored task; a plain
-- `cronpp run --script` has no saved state and only reports what it moved).
local DAY = 86400
local days = task.config.days or 90
local batch = task.config.batch or 500
local max_batches = task.config.max_batches or 200
if type(days) ~= "number" or days < 1 then error("task.config.days must be a number of days >= 1") end
if type(batch) ~= "number" or batch < 1 or batch > 10000 then error("task.config.batch must be 1 to 10000") end

local now = math.floor(time.now())
local cutoff = now - math.floor(days * DAY)

local has_state, last = pcall(kv.get, "last_run")
if not has_state then
  log.debug("no saved state for this run", { reason = tostring(last) })
  last = nil
elseif last then
  log.info("previous run", { cutoff = time.format(last.cutoff), archived = last.archived })
end

local function move_one_batch()
  return db.tx(function()
    local rows = db.query("SELECT id FROM activity WHERE created_at < ? ORDER BY id LIMIT ?", cutoff, batch)
    if #rows == 0 then return 0 end
    local last_id = rows[#rows].id
    local copied = db.exec([[
      INSERT INTO activity_archive (id, user_id, kind, detail, created_at, archived_at)
      SELECT id, user_id, kind, detail, created_at, ? FROM activity
      WHERE created_at < ? AND id <= ?
    ]], now, cutoff, last_id)
    local deleted = db.exec("DELETE FROM activity WHERE created_at < ? AND id <= ?", cutoff, last_id)
    if copied ~= deleted then
      -- Raising rolls the batch back: nothing is lost or copied twice.
      error(string.format("batch up to id %d: copied %d rows but deleted %d", last_id, copied, deleted))
    end
    return deleted
  end)
end

local archived, batches = 0, 0
repeat
  local moved = move_one_batch()
  archived = archived + moved
  if moved > 0 then batches = batches + 1 end
until moved < batch or batches >= max_batches

local remaining = db.query("SELECT COUNT(*) AS n FROM activity WHERE created_at < ?", cutoff)[1].n
if remaining > 0 then
  log.warn("old activity left for the next run", { remaining = remaining, max_batches = max_batches })
end
log.info("archived old activity", { archived = archived, batches = batches, cutoff = time.format(cutoff) })

local result = { archived = archived, batches = batches, remaining = remaining, cutoff = cutoff, days = days }
if has_state then
  local total = ((last and last.total) or 0) + archived
  kv.set("last_run", { cutoff = cutoff, archived = archived, total = total, at = now })
  result.total_archived = total
  result.previous_cutoff = last and last.cutoff or nil
end
return result
