import CronppEngine
import CronppSchedule
import CronppStore
import Foundation
import Testing

/// Which fires run when the scheduler reaches a task on time, a little late, or after
/// downtime, under each missed-run policy. An injected clock: nothing sleeps.
struct FirePlannerTests {
  let utc = TimeZone(identifier: "UTC")!
  /// 2026-03-01T12:00:00Z.
  let noon = Date(timeIntervalSince1970: 1_772_366_400)

  func plan(_ expression: String, due: Date, now: Date, missed: MissedRunPolicy = .skip) throws -> FirePlan {
    FirePlanner.plan(try Schedule(expression), in: utc, due: due, now: now, missed: missed)
  }

  func minutes(_ n: Double) -> TimeInterval { n * 60 }

  @Test("a fire reached on time runs once as a schedule run and the task moves to its next fire")
  func onTime() throws {
    let plan = try plan("*/5 * * * *", due: noon, now: noon.addingTimeInterval(0.003))
    #expect(plan.runs == [FirePlan.Run(scheduledAt: noon, trigger: .schedule)])
    #expect(plan.next == noon.addingTimeInterval(minutes(5)))
  }

  @Test("fires a busy scheduler reaches within the grace still run, each as a schedule run")
  func slightlyLate() throws {
    let plan = try plan("* * * * * *", due: noon, now: noon.addingTimeInterval(2.5))
    #expect(plan.runs.map(\.scheduledAt) == [0, 1, 2].map { noon.addingTimeInterval($0) })
    #expect(plan.runs.allSatisfy { $0.trigger == .schedule })
    #expect(plan.next == noon.addingTimeInterval(3))
  }

  @Test("missed fires: skip runs none, once runs the latest, all runs each as catchup runs")
  func missedPolicies() throws {
    let now = noon.addingTimeInterval(minutes(32))
    #expect(try plan("*/10 * * * *", due: noon, now: now, missed: .skip).runs.isEmpty)
    #expect(try plan("*/10 * * * *", due: noon, now: now, missed: .once).runs == [FirePlan.Run(scheduledAt: noon.addingTimeInterval(minutes(30)), trigger: .catchup)])
    let all = try plan("*/10 * * * *", due: noon, now: now, missed: .all)
    #expect(all.runs.map(\.scheduledAt) == [0, 10, 20, 30].map { noon.addingTimeInterval(minutes($0)) })
    #expect(all.runs.allSatisfy { $0.trigger == .catchup })
    #expect(all.next == noon.addingTimeInterval(minutes(40)))
  }

  @Test("a fire just inside the grace is on time even when older fires were missed")
  func missedAndOnTime() throws {
    let plan = try plan("* * * * *", due: noon, now: noon.addingTimeInterval(minutes(3) + 30), missed: .once)
    #expect(plan.runs == [
      FirePlan.Run(scheduledAt: noon.addingTimeInterval(minutes(2)), trigger: .catchup),
      FirePlan.Run(scheduledAt: noon.addingTimeInterval(minutes(3)), trigger: .schedule),
    ])
  }

  @Test("catch-up after long downtime stays within a day and at most 100 runs")
  func catchupIsBounded() throws {
    let weekLater = noon.addingTimeInterval(7 * 86_400)
    let hourly = try plan("0 * * * *", due: noon, now: weekLater, missed: .all)
    #expect(hourly.runs.filter { $0.trigger == .catchup }.count == 24)
    #expect(hourly.runs.first?.scheduledAt == weekLater.addingTimeInterval(-86_400))
    #expect(hourly.runs.last == FirePlan.Run(scheduledAt: weekLater, trigger: .schedule))
    #expect(try plan("* * * * *", due: noon, now: weekLater, missed: .all).runs.count == FirePlanner.maxRuns)
  }

  @Test("a schedule with no fire left has no next fire")
  func exhausted() throws {
    let plan = try plan("0 0 0 1 1 * 2026", due: Date(timeIntervalSince1970: 1_767_225_600), now: Date(timeIntervalSince1970: 1_767_225_601))
    #expect(plan.runs.count == 1)
    #expect(plan.next == nil)
  }
}
