import Foundation

/// The budgets of one run (DESIGN.md section 5); a task or `run --script` flag may change them.
public struct LuaLimits: Sendable, Equatable {
  /// Wall-clock time in seconds; past it the run ends as a timeout.
  public var wallTime: Double
  /// Bytes the interpreter may hold at once, enforced by its allocator.
  public var memoryBytes: Int
  /// Lua VM instructions, counted by a hook, coroutines included.
  public var instructions: Int64
  /// Bytes of captured log output before one truncation line.
  public var outputBytes: Int

  public init(wallTime: Double = 60, memoryBytes: Int = 64 << 20, instructions: Int64 = 2_000_000_000, outputBytes: Int = 1 << 20) {
    (self.wallTime, self.memoryBytes, self.instructions, self.outputBytes) = (wallTime, memoryBytes, instructions, outputBytes)
  }
}

/// How a run ended.
public enum LuaRunStatus: String, Sendable, Equatable {
  case success, failed, timeout
}

/// A line the script logged (`print`, `warn`, `log.*`).
public struct LuaLogLine: Sendable, Equatable {
  public enum Level: String, Sendable { case debug, info, warn, error }
  public let at: Date
  public let level: Level
  public let message: String
  /// Structured fields as a JSON object, when the call passed a table.
  public let fields: String?

  public init(at: Date = Date(), level: Level, message: String, fields: String? = nil) {
    (self.at, self.level, self.message, self.fields) = (at, level, message, fields)
  }
}

/// What a run produced: status, the returned value as JSON, the error with its traceback.
public struct LuaRunOutcome: Sendable, Equatable {
  public var status: LuaRunStatus
  public var result: String?
  /// Never empty when `status` is not `.success`.
  public var error: String?
  public var traceback: String?
  public var lines: [LuaLogLine]
}
