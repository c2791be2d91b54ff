import Foundation

/// What one run executes: a task's body with its name, config, grants and budgets.
public struct LuaTask: Sendable, Equatable {
  public var name: String
  public var source: String
  /// Names the chunk in errors and tracebacks, e.g. `tasks/cleanup.lua`.
  public var chunkName: String
  /// JSON object text, visible as `task.config`.
  public var config: String
  /// Normalized grants: `db`, `db:write`, `http:HOST`, `env:NAME`, `exec`.
  public var grants: [String]
  /// The folder `require` resolves modules in; `nil` means `require` finds nothing.
  public var modulesRoot: String?
  public var limits: LuaLimits

  public init(
    name: String, source: String, chunkName: String, config: String = "{}", grants: [String] = [],
    modulesRoot: String? = nil, limits: LuaLimits = LuaLimits()
  ) {
    (self.name, self.source, self.chunkName, self.config) = (name, source, chunkName, config)
    (self.grants, self.modulesRoot, self.limits) = (grants, modulesRoot, limits)
  }
}

/// Which run this is, as the script sees it in `run`.
public struct LuaRunInfo: Sendable, Equatable {
  /// `nil` for an unrecorded `run --script`.
  public var id: Int64?
  public var attempt: Int
  /// `schedule`, `manual`, `retry`, `catchup`, `reboot` or `notify`.
  public var trigger: String
  public var scheduledAt: Date?

  public init(id: Int64? = nil, attempt: Int = 1, trigger: String = "manual", scheduledAt: Date? = nil) {
    (self.id, self.attempt, self.trigger, self.scheduledAt) = (id, attempt, trigger, scheduledAt)
  }
}
