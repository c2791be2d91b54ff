import CronppSchedule
import Foundation

/// A setting that could not be applied, named as the user wrote it (`timeout`), so the CLI
/// can say `--timeout: …` and a task file `@timeout: …`.
public struct SettingError: Error, Equatable, Sendable {
  public let setting: String
  public let message: String
  /// The schedule error and expression, when the schedule is what is wrong (for a caret).
  public let scheduleError: ScheduleError?
  public let expression: String?

  init(_ setting: String, _ message: String, scheduleError: ScheduleError? = nil, expression: String? = nil) {
    (self.setting, self.message, self.scheduleError, self.expression) = (setting, message, scheduleError, expression)
  }
}

/// Task settings as text from flags, task-file headers or a crontab line; `nil` leaves a
/// setting as it is. `apply(to:)` validates everything before changing anything.
public struct TaskSettings: Sendable, Equatable {
  public var schedule: String?
  public var body: String?
  /// Where the body came from; "" clears it (an inline body replaced a file).
  public var sourcePath: String?
  public var description: String?
  public var timeZone: String?
  public var timeout: String?
  public var retries: Int?
  /// `BASE` or `BASE,CAP`, durations.
  public var backoff: String?
  public var overlap: String?
  public var missed: String?
  /// 0 turns auto-disable off.
  public var autoDisableAfter: Int?
  /// A task name or an http(s) URL; "" clears it.
  public var onFailure: String?
  /// A JSON object.
  public var config: String?
  public var tags: [String]?
  /// Grants as written (`db`, `db:write`, `http:HOST`, `env:NAME`, `exec`); `[]` clears them.
  public var capabilities: [String]?
  public var enabled: Bool?

  public init() {}

  public func apply(to task: inout TaskRecord) throws(SettingError) {
    var changed = task
    if let schedule { changed.schedule = schedule }
    if let timeZone { changed.timeZone = timeZone.isEmpty ? nil : timeZone }
    if let zone = changed.timeZone, TimeZone(identifier: zone) == nil {
      throw SettingError("tz", "\(zone) is not a known IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)")
    }
    do {
      _ = try Schedule(changed.schedule, seed: changed.name)
    } catch {
      throw SettingError("schedule", error.description, scheduleError: error, expression: changed.schedule)
    }
    if let body { changed.body = body }
    if let sourcePath { changed.sourcePath = sourcePath.isEmpty ? nil : sourcePath }
    if let description { changed.description = description }
    if let timeout { changed.timeoutSeconds = Double(try Self.duration(timeout, setting: "timeout")) }
    if let retries {
      guard (0...100).contains(retries) else { throw SettingError("retries", "\(retries) is out of range 0-100") }
      changed.retries = retries
    }
    if let backoff {
      let parts = backoff.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      guard (1...2).contains(parts.count) else { throw SettingError("backoff", "'\(backoff)' is not BASE or BASE,CAP (e.g. 10s,10m)") }
      let base = try Self.duration(parts[0], setting: "backoff")
      let cap = parts.count == 2 ? try Self.duration(parts[1], setting: "backoff") : max(base, Int64(changed.backoffCapSeconds))
      guard cap >= base else { throw SettingError("backoff", "the cap \(parts[1]) is below the base \(parts[0])") }
      (changed.backoffBaseSeconds, changed.backoffCapSeconds) = (Double(base), Double(cap))
    }
    if let overlap {
      guard let policy = OverlapPolicy(rawValue: overlap) else { throw SettingError("overlap", "'\(overlap)' is not one of skip, allow, queue") }
      changed.overlap = policy
    }
    if let missed {
      guard let policy = MissedRunPolicy(rawValue: missed) else { throw SettingError("missed", "'\(missed)' is not one of skip, once, all") }
      changed.missed = policy
    }
    if let autoDisableAfter {
      guard (0...10_000).contains(autoDisableAfter) else { throw SettingError("auto-disable", "\(autoDisableAfter) is out of range 0-10000") }
      changed.autoDisableAfter = autoDisableAfter == 0 ? nil : autoDisableAfter
    }
    if let onFailure { changed.onFailure = try Self.notificationTarget(onFailure) }
    if let config { changed.config = try Self.jsonObject(config) }
    if let tags {
      for tag in tags where tag.isEmpty || tag.count > 64 || tag.contains(where: { $0.isWhitespace || $0 == "," }) {
        throw SettingError("tag", "'\(tag)' is not a tag: use 1-64 characters without spaces or commas")
      }
      changed.tags = Array(Set(tags)).sorted()
    }
    if let capabilities { changed.capabilities = Array(Set(try capabilities.map(TaskFile.normalizedGrant))).sorted() }
    if let enabled { changed.enabled = enabled }
    task = changed
  }

  static func duration(_ text: String, setting: String) throws(SettingError) -> Int64 {
    guard let seconds = Schedule.seconds(inDuration: text) else {
      throw SettingError(setting, "'\(text)' is not a duration; write <number><unit> groups, units d, h, m, s (e.g. 90s, 2m, 1h30m)")
    }
    return seconds
  }

  /// `nil` for "", else a task name or an http(s) URL with a host.
  static func notificationTarget(_ text: String) throws(SettingError) -> String? {
    if text.isEmpty { return nil }
    if text.hasPrefix("http://") || text.hasPrefix("https://") {
      guard let url = URL(string: text), let host = url.host, !host.isEmpty else {
        throw SettingError("on-failure", "'\(text)' is not a URL with a host (e.g. https://hooks.example.com/cron)")
      }
      return text
    }
    do {
      try Store.validate(name: text)
    } catch {
      throw SettingError("on-failure", "'\(text)' is neither a task name nor an http(s) URL")
    }
    return text
  }

  /// The config normalized (sorted keys), or an error naming what is wrong.
  static func jsonObject(_ text: String) throws(SettingError) -> String {
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    } catch {
      throw SettingError("config", "not valid JSON: \(Self.reason(error))")
    }
    guard object is [String: Any] else { throw SettingError("config", "must be a JSON object ({...}), not \(text.prefix(20))") }
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
      throw SettingError("config", "cannot be encoded as JSON")
    }
    return String(decoding: data, as: UTF8.self)
  }

  private static func reason(_ error: Error) -> String {
    let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error.localizedDescription)"
    return text.split(separator: "\n").first.map(String.init) ?? text
  }
}
