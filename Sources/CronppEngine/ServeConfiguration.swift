import Foundation

/// How `cronpp serve` runs (its flags), and the timings of the multi-instance protocol.
public struct ServeConfiguration: Sendable {
  /// Threads that run tasks (`--workers`).
  public var workers = 8
  /// How long running runs may finish after SIGTERM (`--grace`).
  public var grace: TimeInterval = 30
  /// Finished runs older than this are pruned hourly (`--retention`); `nil` keeps all.
  public var retention: TimeInterval? = 90 * 86_400
  /// The tasks folder re-applied on change (`--tasks` with `--watch`).
  public var watchedFolder: String?
  /// How often an instance records that it is alive.
  public var heartbeatInterval: TimeInterval = 5
  /// An instance silent for this long has stopped; its running runs are abandoned.
  public var staleAfter: TimeInterval = 30
  /// How often serve looks for changes other processes made (`PRAGMA data_version`) and
  /// for edits in a watched folder. Looking costs one read; nothing else runs on this tick.
  public var changeCheckInterval: TimeInterval = 1
  /// Tasks claimed per transaction: small enough that the first runs start while the rest
  /// of a crowded second is claimed.
  public var claimBatch = 64
  /// How long before they are due fires are claimed. A crowded second's claims (a thousand
  /// fires take tens of milliseconds to write) are made before it begins, and its runs
  /// start on time. A fire is claimed ahead only while its task has no run going; the
  /// overlap policy is met when it is due.
  public var claimAhead: TimeInterval = 0.25
  /// Fires one instance holds per task (overlap `queue`); more are recorded as skipped.
  public var maxHeldPerTask = 100
  /// Timeout of an on-failure POST.
  public var notifyTimeout: TimeInterval = 10
  public var version = "dev"

  public init() {}
}
