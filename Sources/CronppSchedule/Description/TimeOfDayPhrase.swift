/// The time-of-day part of a description, from the second, minute and hour fields:
/// "At 09:30 and 17:30", "Every 2 hours from 00:00 through 22:00",
/// "Every 15 minutes, between 09:00 and 17:59".
struct TimeOfDayPhrase {
  let seconds: FieldPattern
  let minutes: FieldPattern
  let hours: FieldPattern

  init(_ rule: CalendarRule) {
    seconds = FieldPattern(rule, .second)
    minutes = FieldPattern(rule, .minute)
    hours = FieldPattern(rule, .hour)
  }

  /// Up to this many fire times a day read best as clock times; more read as fields.
  static let listedTimesLimit = 6

  /// The clock times, when the fields are single values or short lists: "09:30 and 17:30".
  /// Seconds show only when some are not 0.
  var listedTimes: String? {
    guard let s = seconds.listedValues, let m = minutes.listedValues, let h = hours.listedValues,
      s.count * m.count * h.count <= Self.listedTimesLimit
    else { return nil }
    let showSeconds = s != [0]
    let times = h.flatMap { hour in
      m.flatMap { minute in s.map { EnglishWords.clock(hour, minute, showSeconds ? $0 : nil) } }
    }
    return EnglishWords.list(times)
  }

  /// The phrase when there are no `listedTimes`, leading the sentence.
  var clause: DescriptionClause {
    if case .single(let s) = seconds, case .single(let m) = minutes, let hourly = hourly(minute: m, second: s) {
      return DescriptionClause(text: hourly)
    }
    let parts = self.parts
    return DescriptionClause(text: parts.joined(separator: ", "), isLoose: parts.count > 1)
  }

  /// One fixed minute in a run of hours: "Every hour from 09:00 through 17:00".
  private func hourly(minute: Int, second: Int) -> String? {
    func at(_ hour: Int) -> String { EnglishWords.clock(hour, minute, second == 0 ? nil : second) }
    switch hours {
    case .all:
      return second == 0 ? "At minute \(minute) past every hour" : "At second \(second) of minute \(minute) past every hour"
    case .range(let r):
      return "Every hour from \(at(r.lowerBound)) through \(at(r.upperBound))"
    case .step(let n, let r):
      return "Every \(n) hours from \(at(r.lowerBound)) through \(at(r.upperBound))"
    case .single, .list:
      return nil
    }
  }

  /// The finest repeating field leads; coarser fields follow as windows.
  private var parts: [String] {
    guard case .single(let second) = seconds else {
      if case .single(let m) = minutes, case .single(let h) = hours {
        return [secondsLead, "between \(EnglishWords.clock(h, m, 0)) and \(EnglishWords.clock(h, m, 59))"]
      }
      return [secondsLead, minutesWindow, hoursWindow].compactMap { $0 }
    }
    var parts = [minutesLead]
    if second != 0 { parts.append("at second \(second)") }
    // Listed minutes already name their hours ("past hours 9 through 17").
    if minutes.listedValues == nil, let window = hoursWindow { parts.append(window) }
    return parts
  }

  private var secondsLead: String {
    switch seconds {
    case .all:
      "Every second"
    case .step(let n, let r):
      "Every \(n) seconds" + (seconds.isEvenStep(over: 0...59) ? "" : " from second \(r.lowerBound) through \(r.upperBound)")
    case .range(let r):
      "Every second from second \(r.lowerBound) through \(r.upperBound)"
    case .single, .list:
      "At \(EnglishWords.counted("second", seconds.values))" + (minutes == .all ? " of every minute" : "")
    }
  }

  private var minutesLead: String {
    switch minutes {
    case .all:
      "Every minute"
    case .step(let n, let r):
      "Every \(n) minutes" + (minutes.isEvenStep(over: 0...59) ? "" : " from minute \(r.lowerBound) through \(r.upperBound)")
    case .range(let r):
      "Every minute from minute \(r.lowerBound) through \(r.upperBound)"
    case .single, .list:
      "At \(EnglishWords.counted("minute", minutes.values)) \(pastHours)"
    }
  }

  /// Hours after listed minutes: "past every hour", "past hours 9 through 17".
  private var pastHours: String {
    switch hours {
    case .all:
      "past every hour"
    case .single, .range, .list:
      "past \(EnglishWords.counted("hour", hours.values))"
    case .step(let n, let r):
      "past every \(EnglishWords.ordinal(n)) hour"
        + (hours.isEvenStep(over: 0...23) ? "" : " from hour \(r.lowerBound) through \(r.upperBound)")
    }
  }

  /// Minutes that bound repeating seconds: "during minute 5 of every hour".
  private var minutesWindow: String? {
    switch minutes {
    case .all:
      nil
    case .single(let m):
      "during minute \(m)" + (hours == .all ? " of every hour" : "")
    case .range, .list:
      "during \(EnglishWords.counted("minute", minutes.values))"
    case .step(let n, let r):
      "during every \(EnglishWords.ordinal(n)) minute"
        + (minutes.isEvenStep(over: 0...59) ? "" : " from minute \(r.lowerBound) through \(r.upperBound)")
    }
  }

  /// Hours that bound repeating minutes or seconds: "between 09:00 and 17:59".
  private var hoursWindow: String? {
    func between(_ r: ClosedRange<Int>) -> String {
      "between \(EnglishWords.clock(r.lowerBound, 0)) and \(EnglishWords.clock(r.upperBound, 59))"
    }
    switch hours {
    case .all:
      return nil
    case .single, .range, .list:
      // Two windows read well; beyond that a list of hours is shorter.
      let runs = EnglishWords.runs(hours.values)
      guard runs.count <= 2 else { return "during \(EnglishWords.counted("hour", hours.values))" }
      return runs.map(between).joined(separator: " and ")
    case .step(let n, let r):
      let bounds =
        hours.isEvenStep(over: 0...23)
        ? "" : " from \(EnglishWords.clock(r.lowerBound, 0)) through \(EnglishWords.clock(r.upperBound, 59))"
      return "during every \(EnglishWords.ordinal(n)) hour" + bounds
    }
  }
}
