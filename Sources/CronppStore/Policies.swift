import GRDB

/// What happens when a fire comes while the previous run of the task is still going.
public enum OverlapPolicy: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
  case skip, allow, queue
}

/// What happens to fires missed while no `serve` was running.
public enum MissedRunPolicy: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
  case skip, once, all
}

public enum RunTrigger: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
  case schedule, manual, retry, catchup, reboot
  /// A notification task run because another task's run failed for good.
  case notify
}

public enum RunStatus: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
  case running, success, failed, timeout, skipped, abandoned

  /// Whether the run counts as a failure in statistics and consecutive-failure counts.
  public var isFailure: Bool { self == .failed || self == .timeout || self == .abandoned }
}

public enum LogLevel: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
  case debug, info, warn, error
}
