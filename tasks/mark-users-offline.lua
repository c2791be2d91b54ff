--- @task mark-users-offline
--- @schedule * * * * *
--- @description Marks users offline when their last heartbeat is older than the idle window
--- @timeout 30s
--- @overlap skip
--- @missed skip
--- @auto-disable 10
--- @config {"idle_seconds": 300}
--- @tag presence
--- @allow db:write
-- Replaces the every-minute presence sweeper. A missed minute does not matter: the next
-- run catches up, so missed fires are skipped and a slow run is never doubled up.
local idle = task.config.idle_seconds or 300
local cutoff = time.now() - idle
local n = db.exec("UPDATE users SET online = 0 WHERE online = 1 AND last_seen_at < ?", cutoff)
if n > 0 then
  log.info("marked users offline", { count = n, idle_seconds = idle })
end
return { offline = n }
