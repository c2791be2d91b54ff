import ArgumentParser
import CronppSchedule
import CronppStore
import Foundation

/// The expression-or-task argument and `--seed`, resolved into a `Schedule` or a usage failure.
struct ScheduleOptions: ParsableArguments {
  @Argument(help: ArgumentHelp("A cron expression (quote it), a macro such as @daily, @every DURATION, or the name of a stored task. See cronpp-schedule(5).", valueName: "expression|task"))
  var target: String

  @Option(help: ArgumentHelp("The name H fields hash from (a task's name); default empty, or the task's name.", valueName: "name"))
  var seed: String?

  @OptionGroup var store: StoreOptions

  /// What the target names: an expression, or a stored task's schedule, name seed and zone.
  struct Resolved {
    let schedule: Schedule
    /// The task's own zone, which wins over --tz like a CRON_TZ= prefix.
    let taskZone: TimeZone?
  }

  /// A target with whitespace or a leading `@` is an expression (task names have neither);
  /// anything else is looked up as a task.
  func resolve() throws -> Resolved {
    if target.contains(where: \.isWhitespace) || target.hasPrefix("@") || target.isEmpty {
      do {
        return Resolved(schedule: try Schedule(target, seed: seed ?? ""), taskZone: nil)
      } catch {
        throw CommandFailure.schedule(error, in: target)
      }
    }
    do {
      guard let store = try store.openIfPresent() else { throw StoreError.taskNotFound(target) }
      let task = try store.task(named: target)
      let schedule = try Schedule(task.schedule, seed: seed ?? task.name)
      return Resolved(schedule: schedule, taskZone: task.timeZone.flatMap(TimeZone.init(identifier:)))
    } catch let error as StoreError {
      if case .taskNotFound = error {
        throw CommandFailure.usage("'\(target)' is neither an expression nor a task", hint: "quote a cron expression ('0 9 * * *'), or see 'cronpp ls' for task names")
      }
      throw CommandFailure.store(error)
    } catch let error as ScheduleError {
      throw CommandFailure.schedule(error, in: target)
    }
  }
}

/// Encodes data for `--json`: sorted keys, unescaped slashes, one trailing newline.
enum JSONOutput {
  static func print(_ value: some Encodable, pretty: Bool) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    Swift.print(String(decoding: data, as: UTF8.self))
  }
}
