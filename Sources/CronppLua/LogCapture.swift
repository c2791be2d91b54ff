import Foundation

/// Collects a run's log lines up to its output budget, then one truncation line.
/// Used only on the run's own thread.
final class LogCapture {
  private(set) var lines: [LuaLogLine] = []
  private var bytes = 0
  private let limit: Int
  private var truncated = false
  private let onLine: (@Sendable (LuaLogLine) -> Void)?

  init(limit: Int, onLine: (@Sendable (LuaLogLine) -> Void)? = nil) { (self.limit, self.onLine) = (limit, onLine) }

  func append(_ level: LuaLogLine.Level, _ message: String, fields: String? = nil) {
    guard !truncated else { return }
    let size = message.utf8.count + (fields?.utf8.count ?? 0)
    let line: LuaLogLine
    if bytes + size > limit {
      truncated = true
      line = LuaLogLine(level: .warn, message: "output truncated: the run logged more than \(limit) bytes", fields: nil)
    } else {
      bytes += size
      line = LuaLogLine(level: level, message: message, fields: fields)
    }
    lines.append(line)
    onLine?(line)
  }
}
