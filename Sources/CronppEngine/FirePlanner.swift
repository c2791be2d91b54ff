import CronppSchedule
import CronppStore
import Foundation

/// What to run for a claimed fire, and where the task's schedule goes next.
public struct FirePlan: Equatable, Sendable {
  public struct Run: Equatable, Sendable {
    public let scheduledAt: Date
    public let trigger: RunTrigger

    public init(scheduledAt: Date, trigger: RunTrigger) { (self.scheduledAt, self.trigger) = (scheduledAt, trigger) }
  }

  public var runs: [Run]
  /// The task's next fire, strictly after now; `nil` when the schedule has none left.
  public var next: Date?
}

/// Decides which fires run when a scheduler reaches a task, possibly late: pure, so the
/// policies are tested with any clock.
///
/// A fire at most `onTimeGrace` old is on time and runs as `schedule`, however busy the
/// scheduler was. An older one was missed (no scheduler was running, or the machine
/// slept), and the task's missed-run policy decides: `skip` runs none of them, `once`
/// runs the latest as one `catchup` run, `all` runs each one within `catchupWindow`,
/// oldest first, as `catchup` runs. At most `maxRuns` runs come from one plan, so a task
/// every second that was down for a week cannot flood the workers.
public enum FirePlanner {
  public static let onTimeGrace: TimeInterval = 60
  public static let catchupWindow: TimeInterval = 86_400
  public static let maxRuns = 100

  /// The plan for a task whose claimed fire was `due`, at `now`.
  public static func plan(_ schedule: Schedule, in zone: TimeZone, due: Date, now: Date, missed: MissedRunPolicy) -> FirePlan {
    let cutoff = now.addingTimeInterval(-onTimeGrace)
    var runs: [FirePlan.Run] = []
    if due < cutoff {
      switch missed {
      case .skip:
        break
      case .once:
        if let latest = schedule.previousFire(before: cutoff, in: zone), latest >= due {
          runs.append(FirePlan.Run(scheduledAt: latest, trigger: .catchup))
        }
      case .all:
        let start = max(due, now.addingTimeInterval(-catchupWindow))
        var fires = schedule.fires(after: start.addingTimeInterval(-0.001), in: zone)
        while runs.count < maxRuns, let fire = fires.next(), fire < cutoff {
          runs.append(FirePlan.Run(scheduledAt: fire, trigger: .catchup))
        }
      }
    }
    var onTime = schedule.fires(after: max(due, cutoff).addingTimeInterval(-0.001), in: zone)
    while runs.count < maxRuns, let fire = onTime.next(), fire <= now {
      runs.append(FirePlan.Run(scheduledAt: fire, trigger: .schedule))
    }
    return FirePlan(runs: runs, next: schedule.nextFire(after: now, in: zone))
  }
}
