import ArgumentParser
import CronppSchedule
import Foundation

/// The expression argument and `--seed`, parsed into a `Schedule` or a usage failure.
struct ScheduleOptions: ParsableArguments {
  @Argument(help: ArgumentHelp("A cron expression (quote it), a macro such as @daily, or @every DURATION. See cronpp-schedule(5).", valueName: "expression"))
  var expression: String

  @Option(help: ArgumentHelp("The name H fields hash from (a task's name); default empty.", valueName: "name"))
  var seed: String = ""

  func schedule() throws -> Schedule {
    do {
      return try Schedule(expression, seed: seed)
    } catch {
      throw CommandFailure.schedule(error, in: expression)
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
