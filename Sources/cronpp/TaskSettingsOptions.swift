import ArgumentParser
import CronppLua
import CronppStore
import Foundation

/// The options `add` and `edit` share; each left out keeps the task's current value.
struct TaskSettingsOptions: ParsableArguments {
  @Option(help: ArgumentHelp("When the task fires: a cron expression, macro or @every (cronpp-schedule(5)).", valueName: "expression"))
  var schedule: String?

  @Option(help: ArgumentHelp("Read the Lua body from this file (its path is kept as the task's source).", valueName: "path"))
  var file: String?

  @Option(help: ArgumentHelp("The Lua body, inline.", valueName: "code"))
  var lua: String?

  @Option(help: ArgumentHelp("A line saying what the task does.", valueName: "text"))
  var description: String?

  @Option(name: .customLong("tz"), help: ArgumentHelp("The task's IANA time zone (default: the host's); '' resets it.", valueName: "zone"))
  var zone: String?

  @Option(help: ArgumentHelp("Longest a run may take, e.g. 30s, 2m, 1h (default 60s).", valueName: "duration"))
  var timeout: String?

  @Option(help: ArgumentHelp("Retries after a failed run (0-100).", valueName: "n"))
  var retries: Int?

  @Option(help: ArgumentHelp("Retry backoff: first delay and cap, e.g. 10s,10m (doubling, with jitter).", valueName: "base[,cap]"))
  var backoff: String?

  @Option(help: ArgumentHelp("When a fire comes while the last run is still going: skip, allow or queue.", valueName: "policy"))
  var overlap: String?

  @Option(help: ArgumentHelp("Fires missed while no serve ran: skip, once or all.", valueName: "policy"))
  var missed: String?

  @Option(name: .customLong("auto-disable"), help: ArgumentHelp("Disable the task after this many consecutive failures (0: never).", valueName: "n"))
  var autoDisable: Int?

  @Option(name: .customLong("on-failure"), help: ArgumentHelp("When a run fails for good: run this task with the failure as its config, or POST it as JSON to this http(s) URL ('' clears it).", valueName: "task|url"))
  var onFailure: String?

  @Option(help: ArgumentHelp("A JSON object the task reads as task.config.", valueName: "json"))
  var config: String?

  @Option(name: .customLong("tag"), help: ArgumentHelp("A tag for ls --tag; repeat for several (replaces the task's tags).", valueName: "tag"))
  var tags: [String] = []

  @Option(name: .customLong("allow"), help: ArgumentHelp("A grant: db, db:write, http:HOST, env:NAME or exec; repeat for several (replaces the task's grants; '' clears them).", valueName: "grant"))
  var grants: [String] = []

  func validate() throws {
    if file != nil && lua != nil { throw ValidationError("--file and --lua both give the body; pass one") }
  }

  /// The settings, with the body read from `--file` (an unreadable file is exit 2).
  func settings() throws -> TaskSettings {
    var settings = TaskSettings()
    settings.schedule = schedule
    if let file {
      let url = URL(fileURLWithPath: file)
      guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
        throw CommandFailure.usage("--file: cannot read \(file) as UTF-8 text")
      }
      settings.body = text
      settings.sourcePath = url.standardizedFileURL.path
    }
    if let lua {
      settings.body = lua
      settings.sourcePath = ""
    }
    if let body = settings.body, let problem = LuaRuntime.syntaxError(in: body, chunkName: file ?? "--lua") {
      throw CommandFailure.usage(problem, hint: "the body must be Lua 5.4 that compiles (see cronpp-lua(7))")
    }
    settings.description = description
    settings.timeZone = zone
    settings.timeout = timeout
    settings.retries = retries
    settings.backoff = backoff
    settings.overlap = overlap
    settings.missed = missed
    settings.autoDisableAfter = autoDisable
    settings.onFailure = onFailure
    settings.config = config
    settings.tags = tags.isEmpty ? nil : tags
    settings.capabilities = grants.isEmpty ? nil : grants.filter { !$0.isEmpty }
    return settings
  }
}
