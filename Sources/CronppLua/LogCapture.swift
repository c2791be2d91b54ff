import CLua
import Foundation

/// Collects a run's log lines up to its output budget, then one truncation line.
/// Used only on the run's own thread; the Lua state holds it as a light userdata.
final class LogCapture {
  private(set) var lines: [LuaLogLine] = []
  private var bytes = 0
  private let limit: Int
  private var truncated = false

  init(limit: Int) { self.limit = limit }

  func append(_ level: LuaLogLine.Level, _ message: String, fields: String? = nil) {
    guard !truncated else { return }
    let size = message.utf8.count + (fields?.utf8.count ?? 0)
    if bytes + size > limit {
      truncated = true
      lines.append(LuaLogLine(level: .warn, message: "output truncated: the run logged more than \(limit) bytes", fields: nil))
      return
    }
    bytes += size
    lines.append(LuaLogLine(level: level, message: message, fields: fields))
  }

  static func from(_ L: OpaquePointer?) -> LogCapture? {
    guard let L, let raw = lua_touserdata(L, cronpp_lua_upvalueindex(1)) else { return nil }
    return Unmanaged<LogCapture>.fromOpaque(raw).takeUnretainedValue()
  }
}
