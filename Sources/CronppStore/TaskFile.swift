import Foundation

/// A problem with a task file (or the folder holding it), at a line when there is one:
/// `tasks/billing.lua:2: @schedule: minute: 61 is out of range 0-59`.
public struct TaskFileError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file as the user named it (`tasks/billing.lua`).
  public let path: String
  public let line: Int?
  /// What is wrong, after `FILE:LINE: `; for a bad setting, `@timeout: …`.
  public let message: String
  /// The setting error behind the message, when a value is bad (the CLI shows a caret).
  public let setting: SettingError?

  init(_ path: String, line: Int?, _ message: String, setting: SettingError? = nil) {
    (self.path, self.line, self.message, self.setting) = (path, line, message, setting)
  }

  public var description: String { "\(path)\(line.map { ":\($0)" } ?? ""): \(message)" }
}

/// The header annotations a task file may carry (`--- @schedule 0 * * * *`), named as written.
public enum TaskAnnotation: String, Sendable, CaseIterable {
  case task, schedule, description, tz, timeout, retries, backoff, overlap, missed
  case autoDisable = "auto-disable"
  case onFailure = "on-failure"
  case config, tag, disabled, allow

  /// `@tag` and `@allow` may appear on several lines, and take several words per line.
  public var isRepeatable: Bool { self == .tag || self == .allow }
}

/// A Lua task file's header, parsed and validated; the body is the whole text. The format
/// and its rules are in man/cronpp-apply.1. Pure: no file or database is touched.
public struct TaskFile: Sendable, Equatable {
  /// The file as the user named it, for messages.
  public let path: String
  public let name: String
  /// Every setting the header declares; the ones it leaves out are defaults, not "keep".
  public let settings: TaskSettings
  /// Normalized grants (`db`, `db:write`, `http:HOST`, `env:NAME`, `exec`), sorted, unique.
  public let capabilities: [String]
  /// The line of each annotation's first occurrence.
  public let lines: [TaskAnnotation: Int]

  /// The task the file declares, or `nil` when it has no `@task` (a module for `require`).
  /// Every value is validated here, so a file that parses can be applied.
  public static func parse(_ text: String, path: String) throws(TaskFileError) -> TaskFile? {
    let header = Self.header(of: text)
    guard header.contains(where: { $0.name == TaskAnnotation.task.rawValue }) else { return nil }

    var values: [TaskAnnotation: [(line: Int, value: String)]] = [:]
    for entry in header {
      if entry.unspaced {
        throw TaskFileError(path, line: entry.line, "write '--- @\(entry.name)' with a space after the dashes ('---@' lines are left to editors)")
      }
      guard let annotation = TaskAnnotation(rawValue: entry.name) else {
        throw TaskFileError(path, line: entry.line, "unknown annotation @\(entry.name); see cronpp-apply(1) for the ones a task file takes")
      }
      if let first = values[annotation]?.first, !annotation.isRepeatable {
        throw TaskFileError(path, line: entry.line, "@\(entry.name) is given twice (first on line \(first.line))")
      }
      if annotation == .disabled, !entry.value.isEmpty {
        throw TaskFileError(path, line: entry.line, "@disabled takes no value; leave it out to keep the task enabled")
      }
      if annotation != .disabled, entry.value.isEmpty {
        throw TaskFileError(path, line: entry.line, "@\(entry.name) needs a value")
      }
      values[annotation, default: []].append((entry.line, entry.value))
    }
    let lines = values.mapValues { $0[0].line }
    let single = { (annotation: TaskAnnotation) in values[annotation]?.first?.value }
    let words = { (annotation: TaskAnnotation) in
      values[annotation].map { $0.flatMap { $0.value.split(whereSeparator: \.isWhitespace).map(String.init) } }
    }

    let name = single(.task) ?? ""
    let taskLine = lines[.task] ?? 1
    do {
      try Store.validate(name: name)
    } catch {
      throw TaskFileError(path, line: taskLine, "@task: \(error.description)")
    }
    guard let schedule = single(.schedule) else {
      throw TaskFileError(path, line: taskLine, "@schedule is missing; a task file needs a '--- @schedule EXPRESSION' line")
    }

    var settings = TaskSettings()
    settings.schedule = schedule
    settings.body = text
    settings.description = single(.description) ?? ""
    settings.timeZone = single(.tz) ?? ""
    settings.timeout = single(.timeout)
    settings.backoff = single(.backoff)
    settings.overlap = single(.overlap) ?? OverlapPolicy.skip.rawValue
    settings.missed = single(.missed) ?? MissedRunPolicy.skip.rawValue
    settings.config = single(.config) ?? "{}"
    settings.onFailure = single(.onFailure) ?? ""
    settings.tags = words(.tag) ?? []
    settings.enabled = values[.disabled] == nil
    for (annotation, value) in [(TaskAnnotation.retries, single(.retries)), (.autoDisable, single(.autoDisable))] {
      guard let value else { continue }
      guard let number = Int(value) else {
        throw TaskFileError(path, line: lines[annotation], "@\(annotation.rawValue): '\(value)' is not a whole number")
      }
      if annotation == .retries { settings.retries = number } else { settings.autoDisableAfter = number }
    }

    // Apply to a blank task: the same checks `add` makes, mapped back to the line.
    var blank = TaskRecord(name: name, schedule: "", body: "", now: Date(timeIntervalSince1970: 0))
    do {
      try settings.apply(to: &blank)
    } catch {
      let line = TaskAnnotation(rawValue: error.setting).flatMap { lines[$0] } ?? taskLine
      throw TaskFileError(path, line: line, "@\(error.setting): \(error.message)", setting: error)
    }

    var capabilities: Set<String> = []
    for (line, value) in values[.allow] ?? [] {
      for word in value.split(whereSeparator: \.isWhitespace) {
        do {
          capabilities.insert(try Self.normalizedGrant(String(word)))
        } catch {
          throw TaskFileError(path, line: line, "@allow: \(error.message)", setting: error)
        }
      }
    }
    return TaskFile(path: path, name: name, settings: settings, capabilities: capabilities.sorted(), lines: lines)
  }

  /// One header annotation as written: `--- @name value`.
  struct HeaderEntry {
    let line: Int
    let name: String
    let value: String
    /// Written `---@name` (LuaLS style): only an error when the name is one of ours.
    let unspaced: Bool
  }

  /// The annotations in the header: the leading run of `--` comment lines and blank lines
  /// (and a `#!` first line). `---@word` lines count only when `word` is one of ours, so
  /// editor annotations such as `---@diagnostic` stay comments.
  static func header(of text: String) -> [HeaderEntry] {
    var entries: [HeaderEntry] = []
    // "\r\n" is one Character in Swift, so it is a separator of its own.
    for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
      if index == 0, line.hasPrefix("#!") { continue }
      if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
      guard line.hasPrefix("--") else { break }
      guard line.hasPrefix("---") else { continue }
      let rest = line.dropFirst(3)
      let unspaced = rest.first == "@"
      let afterDashes = rest.drop { $0 == " " || $0 == "\t" }
      guard afterDashes.first == "@", unspaced || afterDashes.startIndex != rest.startIndex else { continue }
      let word = afterDashes.dropFirst().prefix { !$0.isWhitespace }
      if unspaced, TaskAnnotation(rawValue: String(word)) == nil { continue }
      let value = afterDashes.dropFirst(1 + word.count).trimmingCharacters(in: .whitespaces)
      entries.append(HeaderEntry(line: index + 1, name: String(word), value: value, unspaced: unspaced))
    }
    return entries
  }

  /// A capability grant in its stored form (`http:` hosts lowercased), or a `SettingError`
  /// for `allow` saying what a grant looks like. Shared with `--allow` on `add`/`edit`.
  public static func normalizedGrant(_ text: String) throws(SettingError) -> String {
    let usage = "use db, db:write, exec, http:HOST or env:NAME"
    switch text {
    case "db", "db:write", "exec": return text
    default: break
    }
    if text.hasPrefix("env:") {
      let name = text.dropFirst(4)
      guard let first = name.first, first == "_" || (first.isASCII && first.isLetter),
        name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) })
      else { throw SettingError("allow", "'\(text)' does not name an environment variable (letters, digits and _, not starting with a digit)") }
      return text
    }
    if text.hasPrefix("http:") {
      let host = text.dropFirst(5).lowercased()
      let port = !host.hasPrefix("[") && host.contains(":")
      if port || host.contains("/") || host.contains("@") {
        throw SettingError("allow", "'\(text)' must name a host alone, without scheme, port or path (e.g. http:api.example.com)")
      }
      guard isHost(host) else {
        throw SettingError("allow", "'\(text)' does not name a host: write http:api.example.com, http:*.example.com, http:10.0.0.5 or http:[::1]")
      }
      return "http:" + host
    }
    throw SettingError("allow", "'\(text)' is not a grant; \(usage)")
  }

  /// A DNS name (a leading `*.` allowed), an IPv4 address, or a bracketed IPv6 address.
  private static func isHost(_ host: String) -> Bool {
    if host.hasPrefix("["), host.hasSuffix("]") {
      let inner = host.dropFirst().dropLast()
      return inner.contains(":") && inner.allSatisfy { $0 == ":" || $0 == "." || $0.isHexDigit }
    }
    let name = host.hasPrefix("*.") ? host.dropFirst(2) : host[...]
    guard !name.isEmpty, name.utf8.count <= 253 else { return false }
    return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
      (1...63).contains(label.count) && label.first != "-" && label.last != "-"
        && label.allSatisfy { $0 == "-" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }
  }
}
