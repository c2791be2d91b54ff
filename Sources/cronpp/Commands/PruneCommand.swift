import ArgumentParser
import CronppSchedule
import CronppStore
import Foundation

struct PruneCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "prune",
    abstract: "Delete old run history: runs older than a duration, or all but each task's newest N.",
    discussion: """
      With neither option, deletes runs that started more than 90 days ago. With both, a run \
      goes if either rule says so. Running runs and task counters are kept.
      """
  )

  @OptionGroup var store: StoreOptions
  @Option(name: .customLong("older-than"), help: ArgumentHelp("Delete runs that started longer ago than this, e.g. 90d, 12h.", valueName: "duration"))
  var olderThan: String?
  @Option(help: ArgumentHelp("Keep only the newest N runs of each task (0 or more).", valueName: "n"))
  var keep: Int?
  @Flag var format: OutputFormat = .table

  static let defaultAge = "90d"

  func run() throws {
    let age = olderThan ?? (keep == nil ? Self.defaultAge : nil)
    let cutoff = try age.map { text in
      guard let seconds = Schedule.seconds(inDuration: text) else {
        throw CommandFailure.usage("--older-than: '\(text)' is not a duration", hint: "write <number><unit> groups, units d, h, m, s (e.g. 90d, 12h, 1d12h)")
      }
      return Date().addingTimeInterval(-Double(seconds))
    }
    if let keep, keep < 0 { throw CommandFailure.usage("--keep: \(keep) is negative; pass 0 or more") }
    do {
      // No database file means no runs; pruning must not create one.
      let deleted = try store.openIfPresent()?.prune(olderThan: cutoff, keep: keep) ?? 0
      switch format {
      case .json:
        try JSONOutput.print(["deleted": deleted], pretty: false)
      case .table:
        print("deleted \(deleted) run\(deleted == 1 ? "" : "s")")
      }
    } catch {
      throw CommandFailure.wrap(error)
    }
  }
}
