/// Names, numbers and lists shared by the description phrases, so every phrase counts,
/// lists and writes times the same way.
enum EnglishWords {
  static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
  static let months = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
  ]

  /// Weekday `d`, where 0 and 7 are both Sunday.
  static func weekday(_ d: Int) -> String { weekdays[d % 7] }

  /// Month `m` (1-12); a stray value wraps rather than trapping.
  static func month(_ m: Int) -> String { months[(m + 11) % 12] }

  /// "a", "a and b", "a, b and c": no serial comma, as in the issue's examples.
  static func list(_ items: [String], conjunction: String = "and") -> String {
    guard let last = items.last else { return "" }
    guard items.count > 1 else { return last }
    return items.dropLast().joined(separator: ", ") + " \(conjunction) " + last
  }

  static func runs(_ values: [Int]) -> [ClosedRange<Int>] { values.consecutiveRuns }

  /// List items for `values`: a run of three or more reads "a through b", so a written
  /// range stays a range; shorter runs are listed one by one.
  static func items(_ values: [Int], name: (Int) -> String = { String($0) }) -> [String] {
    runs(values).flatMap { run -> [String] in
      run.count >= 3 ? ["\(name(run.lowerBound)) through \(name(run.upperBound))"] : run.map(name)
    }
  }

  /// "5", "0 and 30", "1 through 5 and 7".
  static func numbers(_ values: [Int]) -> String { list(items(values)) }

  /// "minute 5", "minutes 0 and 30": the unit agrees with how many values follow.
  static func counted(_ unit: String, _ values: [Int]) -> String {
    "\(unit)\(values.count == 1 ? "" : "s") \(numbers(values))"
  }

  /// "1 hour", "2 hours".
  static func amount(_ n: Int64, _ unit: String) -> String { "\(n) \(unit)\(n == 1 ? "" : "s")" }

  /// "1st", "2nd", "3rd", "4th", "11th", "22nd".
  static func ordinal(_ n: Int) -> String {
    let suffix: String
    switch (n % 10, n % 100) {
    case (_, 11...13): suffix = "th"
    case (1, _): suffix = "st"
    case (2, _): suffix = "nd"
    case (3, _): suffix = "rd"
    default: suffix = "th"
    }
    return "\(n)\(suffix)"
  }

  private static let ordinalWords = [
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
  ]

  /// "first" ... "tenth", then "11th": words read better for the small counts `n#k` and `L-n` use.
  static func ordinalWord(_ n: Int) -> String {
    (1...ordinalWords.count).contains(n) ? ordinalWords[n - 1] : ordinal(n)
  }

  /// 24-hour "09:30", or "09:30:15" when `second` is given.
  static func clock(_ hour: Int, _ minute: Int, _ second: Int? = nil) -> String {
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return "\(two(hour)):\(two(minute))" + (second.map { ":\(two($0))" } ?? "")
  }

  /// "hour", "15 minutes", "1 hour and 30 minutes": a lone unit of one drops its count.
  static func duration(seconds total: Int64) -> String {
    let units: [(size: Int64, name: String)] = [(86_400, "day"), (3600, "hour"), (60, "minute"), (1, "second")]
    var rest = total
    var parts: [(n: Int64, name: String)] = []
    for unit in units where rest >= unit.size {
      parts.append((rest / unit.size, unit.name))
      rest %= unit.size
    }
    if parts.count == 1, let only = parts.first, only.n == 1 { return only.name }
    return list(parts.map { amount($0.n, $0.name) })
  }
}
