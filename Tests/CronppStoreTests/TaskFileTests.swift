import CronppStore
import Testing

struct TaskFileTests {
  static let designExample = """
    --- @task cleanup-expired-tokens
    --- @schedule 0 */6 * * *
    --- @description Removes expired two-factor tokens
    --- @timeout 2m
    --- @retries 3
    local n = db.exec("DELETE FROM two_factor_tokens WHERE expires_at < ?", time.now())
    log.info("removed expired tokens", { count = n })
    return { removed = n }

    """

  @Test("the example from the design parses, with the whole text as the body")
  func designExampleParses() throws {
    let file = try #require(try TaskFile.parse(Self.designExample, path: "tasks/cleanup.lua"))
    #expect(file.name == "cleanup-expired-tokens")
    #expect(file.path == "tasks/cleanup.lua")
    #expect(file.settings.schedule == "0 */6 * * *")
    #expect(file.settings.description == "Removes expired two-factor tokens")
    #expect(file.settings.timeout == "2m")
    #expect(file.settings.retries == 3)
    #expect(file.settings.body == Self.designExample)
    #expect(file.settings.enabled == true)
    #expect(file.capabilities == [])
    #expect(file.lines == [.task: 1, .schedule: 2, .description: 3, .timeout: 4, .retries: 5])
  }

  @Test("every annotation is read; @tag and @allow repeat and take several words")
  func everyAnnotation() throws {
    let text = """
      #!/usr/bin/env lua
      -- Bills every account for the month that just ended.
      ---@diagnostic disable: undefined-global
      --- @task monthly-billing
      --- @schedule CRON_TZ=Europe/Berlin 0 3 1 * *
      --- @tz Europe/Berlin
      --- @description Invoices last month's usage
      --- @timeout 10m
      --- @retries 2
      --- @backoff 30s,5m
      --- @overlap queue
      --- @missed once
      --- @auto-disable 3
      --- @config {"currency": "EUR", "dry_run": false}
      --- @tag billing
      --- @tag finance  monthly
      --- @allow db  db:write
      --- @allow http:API.Stripe.com
      --- @disabled

      return 1
      """
    let file = try #require(try TaskFile.parse(text, path: "billing.lua"))
    let s = file.settings
    #expect(file.name == "monthly-billing")
    #expect(s.schedule == "CRON_TZ=Europe/Berlin 0 3 1 * *")
    #expect(s.timeZone == "Europe/Berlin")
    #expect(s.description == "Invoices last month's usage")
    #expect(s.timeout == "10m" && s.retries == 2 && s.backoff == "30s,5m")
    #expect(s.overlap == "queue" && s.missed == "once" && s.autoDisableAfter == 3)
    #expect(s.config == #"{"currency": "EUR", "dry_run": false}"#)
    #expect(s.tags == ["billing", "finance", "monthly"])
    #expect(s.enabled == false)
    #expect(file.capabilities == ["db", "db:write", "http:api.stripe.com"])
    #expect(file.lines[.task] == 4 && file.lines[.tag] == 15 && file.lines[.allow] == 17 && file.lines[.disabled] == 19)
  }

  @Test("a setting the header leaves out is set to its default, so the file is the whole truth")
  func omittedSettingsAreDefaults() throws {
    let file = try #require(try TaskFile.parse("--- @task t\n--- @schedule @daily\nreturn 1\n", path: "t.lua"))
    let s = file.settings
    #expect(s.description == "" && s.timeZone == "" && s.overlap == "skip" && s.missed == "skip")
    #expect(s.config == "{}" && s.tags == [] && s.enabled == true)
    #expect(s.timeout == nil && s.retries == nil && s.backoff == nil && s.autoDisableAfter == nil)
  }

  @Test("a file without @task is a module, not a task, whatever else its header says", arguments: [
    "local M = {}\nreturn M\n",
    "",
    "--- Helpers for billing tasks.\n--- @param cents integer\n--- @return string\nlocal M = {}\nreturn M\n",
    "local x = 1\n--- @task not-a-header\n--- @schedule @daily\n",
  ])
  func modules(text: String) throws {
    #expect(try TaskFile.parse(text, path: "lib.lua") == nil)
  }

  @Test("the header ends at the first line of code; later '--- @' lines are body")
  func headerEndsAtCode() throws {
    let text = "--- @task t\n\n--- @schedule @hourly\nlocal a = 1\n--- @tag late\n--- @bogus ignored\nreturn a\n"
    let file = try #require(try TaskFile.parse(text, path: "t.lua"))
    #expect(file.settings.schedule == "@hourly")
    #expect(file.settings.tags == [])
  }

  @Test("Windows line endings and tabs after the dashes are fine")
  func lineEndings() throws {
    let file = try #require(try TaskFile.parse("---\t@task t\r\n--- @schedule  */5 * * * * \r\nreturn 1\r\n", path: "t.lua"))
    #expect(file.name == "t")
    #expect(file.settings.schedule == "*/5 * * * *")
  }

  @Test("a bad header names the file, the line and the annotation", arguments: [
    ("--- @task t\n--- @schedule @daily\n--- @retry 3\n", "t.lua:3: unknown annotation @retry; see cronpp-apply(1) for the ones a task file takes"),
    ("--- @task t\n--- @schedule @daily\n--- @\n", "t.lua:3: unknown annotation @; see cronpp-apply(1) for the ones a task file takes"),
    ("--- @task t\n--- @schedule @daily\n--- @schedule @hourly\n", "t.lua:3: @schedule is given twice (first on line 2)"),
    ("--- @task t\n--- @task u\n--- @schedule @daily\n", "t.lua:2: @task is given twice (first on line 1)"),
    ("--- @task t\n--- @schedule @daily\n--- @timeout\n", "t.lua:3: @timeout needs a value"),
    ("--- @task t\n--- @schedule @daily\n--- @disabled yes\n", "t.lua:3: @disabled takes no value; leave it out to keep the task enabled"),
    ("--- @task t\n--- @description nothing else\n", "t.lua:1: @schedule is missing; a task file needs a '--- @schedule EXPRESSION' line"),
    ("---@task t\n--- @schedule @daily\n", "t.lua:1: write '--- @task' with a space after the dashes ('---@' lines are left to editors)"),
    ("--- @task Bad Name\n--- @schedule @daily\n",
     "t.lua:1: @task: 'Bad Name' is not a valid task name: use 1-64 lowercase letters, digits, '-', '_' or '.', starting with a letter or digit"),
    ("--- @task t\n--- @schedule 0 61 * * *\n", "t.lua:2: @schedule: hour: 61 is out of range 0-23"),
    ("--- @task t\n--- @schedule @daily\n--- @tz Mars/Olympus\n",
     "t.lua:3: @tz: Mars/Olympus is not a known IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)"),
    ("--- @task t\n--- @schedule @daily\n\n--- @timeout soon\n",
     "t.lua:4: @timeout: 'soon' is not a duration; write <number><unit> groups, units d, h, m, s (e.g. 90s, 2m, 1h30m)"),
    ("--- @task t\n--- @schedule @daily\n--- @retries three\n", "t.lua:3: @retries: 'three' is not a whole number"),
    ("--- @task t\n--- @schedule @daily\n--- @retries 101\n", "t.lua:3: @retries: 101 is out of range 0-100"),
    ("--- @task t\n--- @schedule @daily\n--- @auto-disable -1\n", "t.lua:3: @auto-disable: -1 is out of range 0-10000"),
    ("--- @task t\n--- @schedule @daily\n--- @overlap never\n", "t.lua:3: @overlap: 'never' is not one of skip, allow, queue"),
    ("--- @task t\n--- @schedule @daily\n--- @missed some\n", "t.lua:3: @missed: 'some' is not one of skip, once, all"),
    ("--- @task t\n--- @schedule @daily\n--- @backoff 10m,10s\n", "t.lua:3: @backoff: the cap 10s is below the base 10m"),
    ("--- @task t\n--- @schedule @daily\n--- @config [1, 2]\n", "t.lua:3: @config: must be a JSON object ({...}), not [1, 2]"),
    ("--- @task t\n--- @schedule @daily\n--- @allow db\n--- @allow fs\n", "t.lua:4: @allow: 'fs' is not a grant; use db, db:write, exec, http:HOST or env:NAME"),
  ])
  func badHeaders(text: String, message: String) throws {
    let error = try #require(throws: TaskFileError.self) { try TaskFile.parse(text, path: "t.lua") }
    #expect(error.description == message)
  }

  @Test("a bad schedule keeps the schedule error, so the CLI can point at the token")
  func scheduleErrorIsKept() throws {
    let error = try #require(throws: TaskFileError.self) { try TaskFile.parse("--- @task t\n--- @schedule 0 0 32 * *\n", path: "t.lua") }
    #expect(error.line == 2)
    #expect(error.setting?.setting == "schedule")
    #expect(error.setting?.expression == "0 0 32 * *")
    #expect(error.setting?.scheduleError?.column == 5)
  }

  @Test("grants are stored normalized", arguments: [
    ("db", "db"), ("db:write", "db:write"), ("exec", "exec"), ("env:API_TOKEN", "env:API_TOKEN"), ("env:_x1", "env:_x1"),
    ("http:example.com", "http:example.com"), ("http:API.Example.COM", "http:api.example.com"),
    ("http:*.example.com", "http:*.example.com"), ("http:localhost", "http:localhost"), ("http:127.0.0.1", "http:127.0.0.1"),
    ("http:[::1]", "http:[::1]"), ("http:[fe80::1]", "http:[fe80::1]"),
  ])
  func grants(text: String, stored: String) throws {
    #expect(try TaskFile.normalizedGrant(text) == stored)
  }

  @Test("grants outside the grammar are refused with what a grant looks like", arguments: [
    ("", "'' is not a grant; use db, db:write, exec, http:HOST or env:NAME"),
    ("db:read", "'db:read' is not a grant; use db, db:write, exec, http:HOST or env:NAME"),
    ("http", "'http' is not a grant; use db, db:write, exec, http:HOST or env:NAME"),
    ("EXEC", "'EXEC' is not a grant; use db, db:write, exec, http:HOST or env:NAME"),
    ("env:", "'env:' does not name an environment variable (letters, digits and _, not starting with a digit)"),
    ("env:1X", "'env:1X' does not name an environment variable (letters, digits and _, not starting with a digit)"),
    ("env:A-B", "'env:A-B' does not name an environment variable (letters, digits and _, not starting with a digit)"),
    ("http:https://example.com", "'http:https://example.com' must name a host alone, without scheme, port or path (e.g. http:api.example.com)"),
    ("http:example.com:8080", "'http:example.com:8080' must name a host alone, without scheme, port or path (e.g. http:api.example.com)"),
    ("http:example.com/api", "'http:example.com/api' must name a host alone, without scheme, port or path (e.g. http:api.example.com)"),
  ])
  func badGrants(text: String, message: String) throws {
    let error = try #require(throws: SettingError.self) { try TaskFile.normalizedGrant(text) }
    #expect(error.setting == "allow")
    #expect(error.message == message)
  }

  @Test("hosts must be names or addresses, with a wildcard only as a leading label", arguments: [
    "http:", "http:*", "http:*example.com", "http:a.*.com", "http:-a.com", "http:a..com",
    "http:exa mple.com", "http:[zz::1]",
  ])
  func badHosts(text: String) throws {
    let error = try #require(throws: SettingError.self) { try TaskFile.normalizedGrant(text) }
    #expect(error.message.hasPrefix("'\(text)' does not name a host"))
  }
}
