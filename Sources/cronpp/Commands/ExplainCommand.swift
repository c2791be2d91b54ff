import ArgumentParser
import CronppSchedule
import Foundation

struct ExplainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "explain",
    abstract: "Describe a schedule in English, field by field, with its next runs and warnings.",
    discussion: """
      Warnings cover the day-of-month/day-of-week OR rule, wall times that daylight saving \
      skips or repeats in the zone within a year, schedules that fire rarely or never again, \
      @every periods that do not divide a day, uneven steps, and H without --seed.
      """
  )

  @OptionGroup var target: ScheduleOptions
  @OptionGroup var time: TimeOptions
  @Flag var format: OutputFormat = .table

  struct Explanation: Encodable {
    let expression: String
    let description: String
    let timeZone: String
    let fields: [FieldRow]
    let next: [String]
    let warnings: [Warning]

    struct Warning: Encodable {
      let kind: ScheduleWarning.Kind
      let message: String
    }
  }

  func run() throws {
    let resolved = try target.resolve()
    let schedule = resolved.schedule
    let requestedZone = try time.zone()
    let defaultZone = resolved.taskZone ?? requestedZone
    let zone = schedule.effectiveZone(default: defaultZone)
    let start = try time.start(in: zone)
    let rendering = TimeRendering(zone: zone)
    let fires = Array(schedule.fires(after: start, in: defaultZone).prefix(5))
    var rule: CalendarRule?
    if case .calendar(let r) = schedule.kind { rule = r }
    let explanation = Explanation(
      expression: schedule.expression,
      description: schedule.englishDescription(zone: zone),
      timeZone: TimeRendering.displayName(of: zone),
      fields: rule.map(FieldRow.rows) ?? [],
      next: fires.map(rendering.rfc3339),
      warnings: schedule.warnings(after: start, in: defaultZone).map { .init(kind: $0.kind, message: $0.message) })

    switch format {
    case .json:
      try JSONOutput.print(explanation, pretty: true)
    case .table:
      print(render(explanation, of: schedule, rule: rule, fires: fires, rendering: rendering, now: start), terminator: "")
    }
  }

  private func render(_ e: Explanation, of schedule: Schedule, rule: CalendarRule?, fires: [Date], rendering: TimeRendering, now: Date) -> String {
    var out = e.description + "\n"
    if let rule {
      let table = [("field", "text", "values")] + zip(rule.writtenFields, e.fields).map { field, row in
        (row.field, row.text, row.renderedValues(unrestricted: rule.isUnrestricted(field), field: field))
      }
      let w0 = table.map(\.0.count).max() ?? 0, w1 = table.map(\.1.count).max() ?? 0
      out += "\n"
      for (a, b, c) in table {
        out += "  " + a.padding(toLength: w0 + 2, withPad: " ", startingAt: 0) + b.padding(toLength: w1 + 2, withPad: " ", startingAt: 0) + c + "\n"
      }
    }
    out += "\ntime zone: \(e.timeZone)\n"
    if case .reboot = schedule.kind {
      out += "\nnext runs: none (@reboot fires once when 'cronpp serve' starts)\n"
    } else if fires.isEmpty {
      out += "\nnext runs: none\n"
    } else {
      out += "\nnext runs:\n"
      for fire in fires { out += "  " + rendering.listing(fire, now: now) + "\n" }
    }
    if !e.warnings.isEmpty {
      out += "\nwarnings:\n"
      for warning in e.warnings { out += "  - \(warning.message)\n" }
    }
    return out
  }
}
