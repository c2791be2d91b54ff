--- @task cleanup-expired-tokens
--- @schedule 0 */6 * * *
--- @description Removes expired two-factor tokens
--- @timeout 2m
--- @retries 3
--- @backoff 30s,5m
--- @tag auth
--- @allow db:write
-- Replaces the old "tokens:cleanup" crontab line. Tokens live 10 minutes, so every
-- six hours is plenty; the DELETE is idempotent, so a retry is always safe.
local n = db.exec("DELETE FROM two_factor_tokens WHERE expires_at < ?", time.now())
log.info("removed expired tokens", { count = n })
return { removed = n }
