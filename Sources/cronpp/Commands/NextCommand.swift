import ArgumentParser
import CronppSchedule
import Foundation

struct NextCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "next",
    abstract: "Print the next fire times of a schedule.",
    discussion: """
      Prints the next COUNT fire times strictly after --from, each with its UTC offset, weekday \
      and the time until it. With --json, prints a JSON array of RFC 3339 strings and nothing else. \
      Fewer than COUNT lines print when the schedule ends (a year field); @reboot prints none.
      """
  )

  @OptionGroup var target: ScheduleOptions
  @OptionGroup var time: TimeOptions

  @Option(help: ArgumentHelp("How many fire times to print (1-10000).", valueName: "n"))
  var count = 5

  @Flag var format: OutputFormat = .table

  static let maxCount = 10_000

  func run() throws {
    guard (1...Self.maxCount).contains(count) else {
      throw CommandFailure.usage("--count: \(count) is out of range 1-\(Self.maxCount)")
    }
    let resolved = try target.resolve()
    let schedule = resolved.schedule
    let requestedZone = try time.zone()
    let defaultZone = resolved.taskZone ?? requestedZone
    let zone = schedule.effectiveZone(default: defaultZone)
    let start = try time.start(in: zone)
    if case .reboot = schedule.kind {
      FileHandle.standardError.write(Data("cronpp: @reboot fires once when 'cronpp serve' starts; it has no calendar times\n".utf8))
    }
    let fires = Array(schedule.fires(after: start, in: defaultZone).prefix(count))
    let rendering = TimeRendering(zone: zone)
    switch format {
    case .json:
      try JSONOutput.print(fires.map(rendering.rfc3339), pretty: false)
    case .table:
      var out = ""
      for fire in fires { out += rendering.listing(fire, now: start) + "\n" }
      print(out, terminator: "")
    }
  }
}
