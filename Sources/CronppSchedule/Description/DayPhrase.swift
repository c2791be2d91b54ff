/// The days part of a description, from day-of-month and day-of-week under Vixie cron's
/// rule. The OR case says "or" ("on day 1 of the month or on Monday") because it surprises
/// people; under AND, a field that matches every day drops out.
struct DayPhrase {
  let rule: CalendarRule

  /// A day clause, or `nil` when every day matches. `namesMonths` is true when the clause
  /// took the months in ("on the last day of February"), so no "in February" should follow.
  func clause(months: FieldPattern) -> (clause: DescriptionClause, namesMonths: Bool)? {
    let everyDate = rule.daysOfMonth.count == Field.dayOfMonth.valueCount
    let everyWeekday = rule.daysOfWeek.count == Field.dayOfWeek.valueCount
    switch rule.dayRule {
    case .either where everyDate || everyWeekday, .both where everyDate && everyWeekday:
      return nil
    case .either:
      let text = "on \(EnglishWords.list(monthDayItems)) of the month or on \(weekdayBody(conjunction: "and"))"
      return (DescriptionClause(text: text, attachesTightly: true, isLoose: true), false)
    case .both where everyDate:
      return weekdayClause(months: months)
    case .both where everyWeekday:
      return monthDayClause(months: months)
    case .both:
      let text = "on \(EnglishWords.list(monthDayItems)) of the month, if it falls on \(weekdayBody(conjunction: "or"))"
      return (DescriptionClause(text: text, attachesTightly: true, isLoose: true), false)
    }
  }

  // MARK: Day of month

  /// "on day 1 of the month", "on January 1", "on the last day of February".
  private func monthDayClause(months: FieldPattern) -> (clause: DescriptionClause, namesMonths: Bool) {
    let items = monthDayItems
    if case .single(let month) = months, rule.monthDaySpecials.isEmpty, case .single(let day) = monthDayPattern {
      return (DescriptionClause(text: "on \(EnglishWords.month(month)) \(day)", attachesTightly: true), true)
    }
    let scope = months == .all ? "the month" : MonthYearPhrase.monthNames(months)
    return (DescriptionClause(text: "on \(EnglishWords.list(items)) of \(scope)", attachesTightly: true), months != .all)
  }

  private var monthDayPattern: FieldPattern { FieldPattern(rule, .dayOfMonth) }

  /// "day 1", "days 1 through 15", "every 2nd day", then `L`-style forms ("the last day").
  private var monthDayItems: [String] {
    let pattern = monthDayPattern
    var items: [String] = []
    switch pattern {
    case .all:
      break
    case .single(let d):
      items.append("day \(d)")
    case .range, .list:
      if !pattern.values.isEmpty { items.append(EnglishWords.counted("day", pattern.values)) }
    case .step(let n, let r):
      let bounds = r.lowerBound == 1 && r.upperBound + n > 31 ? "" : " from day \(r.lowerBound) through \(r.upperBound)"
      items.append("every \(EnglishWords.ordinal(n)) day" + bounds)
    }
    return items + rule.monthDaySpecials.map(Self.phrase)
  }

  private static func phrase(_ special: MonthDaySpecial) -> String {
    switch special {
    case .last(offset: 0): "the last day"
    case .last(let offset): "the \(EnglishWords.ordinalWord(offset + 1))-to-last day"
    case .nearestWeekday(let d): "the weekday nearest day \(d)"
    case .lastWeekday: "the last weekday"
    }
  }

  // MARK: Day of week

  /// "Monday through Friday", "on Monday", "on the last Friday of June".
  private func weekdayClause(months: FieldPattern) -> (clause: DescriptionClause, namesMonths: Bool) {
    // Only a phrase made wholly of nL / n#k belongs to "the month" and can name the months.
    if weekdayPlainItems.isEmpty, months != .all {
      let text = "on \(weekdayBody(conjunction: "and", scope: MonthYearPhrase.monthNames(months)))"
      return (DescriptionClause(text: text, attachesTightly: true), true)
    }
    // Runs of plain weekdays read without "on", as in the issue's "Monday through Friday";
    // in the OR clause they keep it ("or on Monday through Friday").
    let body = weekdayBody(conjunction: "and")
    if rule.weekdaySpecials.isEmpty, weekdayPlainItems.contains(where: { $0.contains(" through ") }) {
      return (DescriptionClause(text: body), false)
    }
    return (DescriptionClause(text: "on \(body)", attachesTightly: true), false)
  }

  /// Plain weekdays, then `nL` / `n#k` forms, which end with "of <scope>".
  private func weekdayBody(conjunction: String, scope: String = "the month") -> String {
    let specials = weekdaySpecialItems
    let body = EnglishWords.list(weekdayPlainItems + specials, conjunction: conjunction)
    return specials.isEmpty ? body : "\(body) of \(scope)"
  }

  /// Weekday names with runs. The week starts on Sunday unless Monday-first gives fewer
  /// runs, so `FRI-SUN` reads "Friday through Sunday" and `SAT,SUN` "Saturday and Sunday".
  private var weekdayPlainItems: [String] {
    let values = rule.daysOfWeek.values
    let mondayFirst = values.map { $0 == 0 ? 7 : $0 }.sorted()
    let ordered = EnglishWords.runs(mondayFirst).count < EnglishWords.runs(values).count ? mondayFirst : values
    return EnglishWords.items(ordered, name: EnglishWords.weekday)
  }

  /// `nL` and `n#k` items, one per weekday in the order written: "the first and third Monday".
  private var weekdaySpecialItems: [String] {
    var order: [Int] = []
    var words: [Int: [String]] = [:]
    for special in rule.weekdaySpecials {
      let (weekday, word) =
        switch special {
        case .last(let w): (w, "last")
        case .nth(let w, let k): (w, EnglishWords.ordinalWord(k))
        }
      if words[weekday] == nil { order.append(weekday) }
      if words[weekday]?.contains(word) != true { words[weekday, default: []].append(word) }
    }
    return order.map { "the \(EnglishWords.list(words[$0] ?? [])) \(EnglishWords.weekday($0))" }
  }
}
