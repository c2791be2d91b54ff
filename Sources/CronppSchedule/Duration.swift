/// `@every` durations: `<number><unit>` groups, units d h m s, e.g. `90s`, `1h30m`, `2d`.
enum Duration {
  static func seconds(_ token: Substring, in expression: String) throws(ScheduleError) -> Int64 {
    let bad = ScheduleError(.every, token: token, column: Schedule.column(of: token, in: expression), problem: .badDuration)
    var total: Int64 = 0
    var digits = ""
    for c in token.lowercased() {
      if c.isASCIIDigit {
        digits.append(c)
        continue
      }
      let unit: Int64
      switch c {
      case "d": unit = 86_400
      case "h": unit = 3600
      case "m": unit = 60
      case "s": unit = 1
      default: throw bad
      }
      guard !digits.isEmpty, digits.count <= 9, let n = Int64(digits) else { throw bad }
      total += n * unit
      digits = ""
    }
    guard digits.isEmpty, total > 0 else { throw bad }
    return total
  }
}

extension Schedule {
  /// Seconds in a duration written like `@every`'s (`90s`, `2m`, `1h30m`, `2d`), if valid.
  /// Task timeouts, backoffs and retention use the same syntax.
  public static func seconds(inDuration text: String) -> Int64? {
    try? Duration.seconds(Substring(text), in: text)
  }
}
