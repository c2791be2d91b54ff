import ArgumentParser
import CronppEngine
import CronppSchedule
import CronppStore
import Foundation

struct StatusCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract: "Show live serve instances, running runs and the next 10 fires.",
    discussion: """
      Exits 0 when at least one serve instance is live (its heartbeat is under 30s old), \
      1 when none is, so it works as a container health check. See cronpp-status(1).
      """
  )

  @OptionGroup var store: StoreOptions
  @Flag var format: OutputFormat = .table

  static let upcomingCount = 10

  func run() throws {
    let now = Date()
    let snapshot: (instances: [InstanceRecord], running: [(run: RunRecord, taskName: String)], upcoming: [TaskRecord])
    do {
      // No database means no instance ever ran here: nothing to show, and not healthy.
      if let store = try self.store.openIfPresent() {
        let staleAfter = ServeConfiguration().staleAfter
        snapshot = (try store.liveInstances(at: now, staleAfter: staleAfter), try store.runningRuns(), try store.upcomingFires(limit: Self.upcomingCount))
      } else {
        snapshot = ([], [], [])
      }
    } catch {
      throw CommandFailure.wrap(error)
    }
    switch format {
    case .json:
      try JSONOutput.print(StatusJSON(snapshot.instances, snapshot.running, snapshot.upcoming), pretty: false)
    case .table:
      print(Self.render(snapshot.instances, snapshot.running, snapshot.upcoming, now: now), terminator: "")
    }
    if snapshot.instances.isEmpty {
      throw CommandFailure(kind: .runFailed, message: "no live cronpp serve instance on \(store.resolvedPath)", detail: "hint: start one with 'cronpp serve'")
    }
  }

  static func render(_ instances: [InstanceRecord], _ running: [(run: RunRecord, taskName: String)], _ upcoming: [TaskRecord], now: Date) -> String {
    var text = "Instances\n"
    if instances.isEmpty {
      text += "  none live\n"
    } else {
      var table = TextTable(
        [.init("ID", shrinksTo: 8), .init("HOST", shrinksTo: 8), .init("PID", alignment: .right), .init("VERSION"), .init("STARTED"), .init("HEARTBEAT")],
        indent: 2)
      for instance in instances {
        table.rows.append([
          instance.id, instance.host, "\(instance.pid)", instance.version,
          HistoryRendering.compactRelative(instance.startedAt, from: now), HistoryRendering.compactRelative(instance.heartbeatAt, from: now),
        ])
      }
      text += table.rendered()
    }
    text += "\nRunning\n"
    if running.isEmpty {
      text += "  none\n"
    } else {
      var table = TextTable(
        [.init("RUN", alignment: .right), .init("TASK", shrinksTo: 8), .init("TRIGGER"), .init("INSTANCE", shrinksTo: 8), .init("STARTED"), .init("FOR", alignment: .right)],
        indent: 2)
      for (run, name) in running {
        table.rows.append([
          "\(run.id ?? 0)", name, HistoryRendering.trigger(run), run.instanceId ?? "-",
          HistoryRendering.compactRelative(run.startedAt, from: now), HistoryRendering.duration(max(0, now.timeIntervalSince(run.startedAt))),
        ])
      }
      text += table.rendered()
    }
    text += "\nNext fires\n"
    if upcoming.isEmpty {
      text += "  none scheduled\n"
    } else {
      var table = TextTable([.init("TASK", shrinksTo: 8), .init("AT"), .init("IN", alignment: .right)], indent: 2)
      for task in upcoming {
        guard let at = task.nextRunAt else { continue }
        let local = LocalTime(at, in: HistoryRendering.zone(of: task))
        table.rows.append([task.name, local.rfc3339, HistoryRendering.compactRelative(at, from: now)])
      }
      text += table.rendered()
    }
    return text
  }
}

/// `status --json`: instants as RFC 3339 in UTC.
struct StatusJSON: Encodable {
  struct Instance: Encodable {
    let id, host, version, startedAt, heartbeatAt: String
    let pid: Int
  }
  struct Running: Encodable {
    let run: Int64
    let task, trigger, startedAt: String
    let attempt: Int
    let instance, scheduledAt: String?
  }
  struct Upcoming: Encodable {
    let task, at: String
  }

  let instances: [Instance]
  let running: [Running]
  let upcoming: [Upcoming]

  init(_ instances: [InstanceRecord], _ running: [(run: RunRecord, taskName: String)], _ upcoming: [TaskRecord]) {
    let utc = { (date: Date) in LocalTime(date, in: TimeZone(identifier: "UTC") ?? .current).rfc3339 }
    self.instances = instances.map {
      Instance(id: $0.id, host: $0.host, version: $0.version, startedAt: utc($0.startedAt), heartbeatAt: utc($0.heartbeatAt), pid: $0.pid)
    }
    self.running = running.map { run, name in
      Running(
        run: run.id ?? 0, task: name, trigger: run.trigger.rawValue, startedAt: utc(run.startedAt), attempt: run.attempt,
        instance: run.instanceId, scheduledAt: run.scheduledAt.map(utc))
    }
    self.upcoming = upcoming.compactMap { task in task.nextRunAt.map { Upcoming(task: task.name, at: utc($0)) } }
  }
}
