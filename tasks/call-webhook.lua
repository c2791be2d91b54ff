--- @task call-webhook
--- @schedule */5 * * * *
--- @description POSTs a JSON event to the URL in its config, with retries
--- @timeout 1m
--- @retries 3
--- @backoff 30s,10m
--- @overlap skip
--- @missed skip
--- @config {"url": "http://127.0.0.1:8787/hooks/cronpp", "event": "cronpp.tick", "timeout": 10}
--- @tag integrations
--- @allow http:127.0.0.1
-- Replaces the "call this URL every five minutes, retry on failure" jobs of the old
-- MERN scheduler. Everything comes from task.config:
--   url        where to POST (required; grant its host with --allow http:HOST)
--   event      the event name in the payload (default "cronpp.tick")
--   payload    an object sent along as "data" (optional)
--   headers    extra request headers (optional)
--   token_env  an environment variable holding a bearer token (optional; grant it
--              with --allow env:NAME)
--   timeout    seconds to wait for an answer (default 10)
-- A receiver that is down, or answers with a status of 400 or more, fails the run with a
-- clear error, so the retries and auto-disable settings apply. The time of the last
-- delivery is kept in kv and sent as "previous_delivery_at", so a receiver can tell what
-- it missed.
local cfg = task.config
local url = cfg.url
if type(url) ~= "string" or url == "" then
  error("task.config.url is not set: give the task a config such as "
    .. [[{"url": "http://127.0.0.1:8787/hooks/cronpp"} (run --script takes --config JSON)]])
end

-- kv needs a stored task; a plain `cronpp run --script` has none, and then this run
-- simply does not remember anything.
local function remembered(key)
  local ok, value = pcall(kv.get, key)
  if ok then return value, true end
  log.debug("no saved state for this run", { reason = tostring(value) })
  return nil, false
end
local previous, has_state = remembered("last_delivery")

local now = time.now()
local payload = {
  event = cfg.event or "cronpp.tick",
  task = task.name,
  run = { id = run.id, attempt = run.attempt, trigger = run.trigger, scheduled_at = run.scheduled_at },
  sent_at = time.format(math.floor(now)),
  previous_delivery_at = previous and previous.at or nil,
  data = cfg.payload,
}

local headers = { ["user-agent"] = "cronpp-webhook" }
for name, value in pairs(cfg.headers or {}) do headers[name] = value end
if cfg.token_env then
  local token = env.get(cfg.token_env)
  if not token then error("the environment variable " .. cfg.token_env .. " (task.config.token_env) is not set") end
  headers.authorization = "Bearer " .. token
end

local ok, res = pcall(http.request, {
  method = "POST", url = url, headers = headers, json = payload, timeout = cfg.timeout or 10,
})
if not ok then
  log.error("webhook not delivered: no answer", { url = url, error = tostring(res), attempt = run.attempt })
  error("webhook not delivered (is anything listening at " .. url .. "?): " .. tostring(res))
end
if res.status >= 400 then
  log.error("webhook refused", { url = url, status = res.status, body = res.body:sub(1, 500) })
  error(url .. " answered " .. res.status)
end

log.info("webhook delivered", { url = res.url, status = res.status })
if has_state then kv.set("last_delivery", { at = payload.sent_at, status = res.status }) end
return { url = res.url, status = res.status, event = payload.event }
