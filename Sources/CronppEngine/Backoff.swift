import Foundation

/// How long to wait before retrying a failed run.
///
/// Exponential from the task's base, doubling per attempt, capped at the task's cap, with
/// "equal jitter": a random point in the upper half of the delay. Retries of many tasks
/// that failed together (a database restart) spread out instead of returning in step,
/// and none comes back sooner than half its delay.
public enum Backoff {
  /// The delay before `attempt` (2 is the first retry), given `random` in 0..<1.
  public static func delay(beforeAttempt attempt: Int, base: TimeInterval, cap: TimeInterval, random: Double) -> TimeInterval {
    let doublings = Double(min(max(attempt - 2, 0), 60))
    let full = min(cap, base * pow(2, doublings))
    return full / 2 + full / 2 * min(max(random, 0), 1)
  }
}
