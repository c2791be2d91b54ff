import CronppLua
import Foundation
import Logging

/// How serve writes its log: one line per event on stdout.
public enum ServeLogFormat: String, Sendable, CaseIterable {
  /// `2026-11-25T21:50:00.003Z info run.finished task=backup run=12 status=success`
  case text
  /// `{"at":"2026-11-25T21:50:00.003Z","level":"info","event":"run.finished","task":"backup",...}`
  case json
}

/// A swift-log handler for serve's events: the message is the event name
/// (`run.finished`), the metadata its fields. Lines are written whole, under a lock, so
/// workers logging at once never interleave.
public struct ServeLogHandler: LogHandler {
  public var metadata: Logger.Metadata = [:]
  public var metadataProvider: Logger.MetadataProvider?
  /// Every level: a script's `log.debug` lines are part of the record.
  public var logLevel: Logger.Level = .debug
  let format: ServeLogFormat
  let output: ServeLogOutput

  public init(format: ServeLogFormat, output: ServeLogOutput = .standardOutput) {
    (self.format, self.output) = (format, output)
  }

  public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  public func log(event: LogEvent) {
    var fields = metadata
    if let extra = event.metadata { fields.merge(extra) { _, new in new } }
    let line = Self.line(at: Date(), level: event.level, event: "\(event.message)", fields: fields, format: format)
    output.write(line)
  }

  /// Fields every event may carry come first, in this order; the rest follow by name.
  static let leadingKeys = ["task", "run", "trigger", "attempt", "status", "scheduled", "lateness_ms", "duration_ms"]

  static func line(at date: Date, level: Logger.Level, event: String, fields: Logger.Metadata, format: ServeLogFormat) -> String {
    let keys = leadingKeys.filter { fields[$0] != nil } + fields.keys.filter { !leadingKeys.contains($0) }.sorted()
    let at = timestamp(date)
    switch format {
    case .text:
      var line = "\(at) \(levelName(level)) \(event)"
      for key in keys {
        guard let value = fields[key] else { continue }
        line += " \(key)=\(logfmt(text(value)))"
      }
      return line + "\n"
    case .json:
      var line = "{\"at\":\(JSONString.quoted(at)),\"level\":\(JSONString.quoted(levelName(level))),\"event\":\(JSONString.quoted(event))"
      for key in keys {
        guard let value = fields[key] else { continue }
        line += ",\(JSONString.quoted(key)):\(json(value))"
      }
      return line + "}\n"
    }
  }

  static func levelName(_ level: Logger.Level) -> String {
    switch level {
    case .trace, .debug: "debug"
    case .info, .notice: "info"
    case .warning: "warn"
    case .error, .critical: "error"
    }
  }

  /// RFC 3339 in UTC with milliseconds.
  static func timestamp(_ date: Date) -> String {
    var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
    let millis = Int((date.timeIntervalSince1970 - Double(seconds)) * 1000)
    var parts = tm()
    gmtime_r(&seconds, &parts)
    func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
    let ms = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
    return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(ms)Z"
  }

  static func text(_ value: Logger.Metadata.Value) -> String {
    switch value {
    case .string(let string): string
    case .stringConvertible(let value): value.description
    case .array(let values): values.map(text).joined(separator: ",")
    case .dictionary(let values): values.keys.sorted().map { "\($0):\(text(values[$0]!))" }.joined(separator: ",")
    }
  }

  /// A logfmt value: bare when it is one plain word, else quoted as a JSON string is, so
  /// one unescaping reads both formats.
  static func logfmt(_ text: String) -> String {
    let plain = !text.isEmpty && text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "=" && $0 != "\\" }
    return plain ? text : JSONString.quoted(text)
  }

  /// Numbers and booleans given as such (`.stringConvertible(12)`) stay JSON numbers.
  static func json(_ value: Logger.Metadata.Value) -> String {
    switch value {
    case .string(let string): return JSONString.quoted(string)
    case .stringConvertible(let value):
      if let raw = value as? RawJSON { return raw.text }
      if value is Int || value is Int64 || value is Bool { return value.description }
      if let number = value as? Double, number.isFinite { return "\(number)" }
      return JSONString.quoted(value.description)
    case .array(let values): return "[" + values.map(json).joined(separator: ",") + "]"
    case .dictionary(let values): return "{" + values.keys.sorted().map { "\(JSONString.quoted($0)):\(json(values[$0]!))" }.joined(separator: ",") + "}"
    }
  }

}

/// A field that is JSON already (a script's structured log fields): an object in JSON
/// lines, its text in logfmt.
public struct RawJSON: CustomStringConvertible, Sendable {
  public let text: String
  public init(_ text: String) { self.text = text }
  public var description: String { text }
}

/// Where serve's log lines go: stdout, or a closure (tests).
public final class ServeLogOutput: Sendable {
  private let lock = NSLock()
  private let sink: @Sendable (String) -> Void

  public init(_ sink: @escaping @Sendable (String) -> Void) { self.sink = sink }

  /// Writes each line with one `write(2)`, unbuffered, so a crash loses no line.
  public static let standardOutput = ServeLogOutput { line in
    var bytes = Array(line.utf8)
    var offset = 0
    while offset < bytes.count {
      let written = bytes.withUnsafeMutableBytes { buffer in
        Foundation.write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
      }
      if written > 0 { offset += written } else if errno != EINTR { return }
    }
  }

  func write(_ line: String) {
    lock.lock()
    defer { lock.unlock() }
    sink(line)
  }
}
