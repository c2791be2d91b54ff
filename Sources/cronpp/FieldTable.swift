import CronppSchedule

/// The per-field rows `explain` prints: each field's text as written and what it matches.
struct FieldRow: Encodable {
  let field: String
  let text: String
  let values: [Int]
  /// `L`, `15W`, `MON#2`... as readable words; the JSON keeps them apart from `values`.
  let specials: [String]

  static func rows(of rule: CalendarRule) -> [FieldRow] {
    rule.writtenFields.map { field in
      FieldRow(field: field.description, text: rule.text(of: field), values: rule.values(of: field), specials: specials(of: field, in: rule))
    }
  }

  private static let months = Field.monthAbbreviations
  private static let weekdays = Field.weekdayAbbreviations

  private static func specials(of field: Field, in rule: CalendarRule) -> [String] {
    switch field {
    case .dayOfMonth:
      rule.monthDaySpecials.map {
        switch $0 {
        case .last(0): "last day"
        case .last(let n): "\(n) before last day"
        case .nearestWeekday(let d): "weekday nearest \(d)"
        case .lastWeekday: "last weekday"
        }
      }
    case .dayOfWeek:
      rule.weekdaySpecials.map {
        switch $0 {
        case .last(let w): "last \(weekdays[w])"
        case .nth(let w, let k): "\(weekdays[w]) #\(k)"
        }
      }
    default: []
    }
  }

  /// Values as compact runs (`0-4,10`), months and weekdays by name; "every" for a full field.
  func renderedValues(unrestricted: Bool, field: Field) -> String {
    var parts: [String] = []
    if unrestricted && specials.isEmpty {
      parts.append("every \(field == .dayOfMonth || field == .dayOfWeek ? "day" : field.description)")
    } else {
      parts += values.consecutiveRuns.map { run in
        let name = { (v: Int) -> String in
          field == .month ? Self.months[v - 1] : field == .dayOfWeek ? Self.weekdays[v] : "\(v)"
        }
        return run.count == 1 ? name(run.lowerBound) : run.count == 2 ? "\(name(run.lowerBound)),\(name(run.upperBound))" : "\(name(run.lowerBound))-\(name(run.upperBound))"
      }
    }
    parts += specials
    return parts.isEmpty ? "-" : parts.joined(separator: ",")
  }
}
