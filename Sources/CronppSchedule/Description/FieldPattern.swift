/// How one field reads: every value, one value, a range, a step or a list.
///
/// The shape comes from the text as written, so `*/15` reads as a step rather than four
/// minutes and `9-17` as a range; the numbers come from the parsed values, so `H` forms
/// read as the values they picked and `7` in day-of-week is already Sunday.
enum FieldPattern: Equatable {
  case all
  case single(Int)
  case range(ClosedRange<Int>)
  /// Every `n`th value, from the first value that matches through the last.
  case step(Int, ClosedRange<Int>)
  case list([Int])

  init(_ rule: CalendarRule, _ field: Field) {
    self.init(text: rule.text(of: field), values: rule.values(of: field), size: field.valueCount)
  }

  /// `values` ascending; `size` is how many values the field has, so a full set reads as all.
  init(text: String, values: [Int], size: Int) {
    guard values.count < size else {
      self = .all
      return
    }
    guard let first = values.first, let last = values.last, values.count > 1 else {
      self = values.first.map(FieldPattern.single) ?? .list([])
      return
    }
    let isOneItem = !text.contains(",")
    let isContiguous = last - first + 1 == values.count
    if isOneItem, text.contains("/"), !isContiguous {
      self = .step(values[1] - values[0], first...last)
    } else if isOneItem, isContiguous {
      self = .range(first...last)
    } else {
      self = .list(values)
    }
  }

  /// The values, ascending; empty for `.all`, which phrases never list.
  var values: [Int] {
    switch self {
    case .all: []
    case .single(let v): [v]
    case .range(let r): Array(r)
    case .step(let n, let r): Array(stride(from: r.lowerBound, through: r.upperBound, by: n))
    case .list(let vs): vs
    }
  }

  /// The values when written one by one (a single value or a list), which may read as clock times.
  var listedValues: [Int]? {
    switch self {
    case .single(let v): [v]
    case .list(let vs): vs
    case .all, .range, .step: nil
    }
  }

  /// Whether a step starts the field's cycle and divides it, so "every 15 minutes" needs no
  /// bounds; `*/7` minutes does (56 to 0 is 4 minutes), and so does `5/15`.
  func isEvenStep(over cycle: ClosedRange<Int>) -> Bool {
    guard case .step(let n, let r) = self else { return false }
    return r.lowerBound == cycle.lowerBound && cycle.count % n == 0 && r.upperBound + n > cycle.upperBound
  }
}

extension Field {
  /// How many distinct values the field matches at most (day-of-week folds 7 into 0).
  var valueCount: Int {
    switch self {
    case .dayOfWeek: 7
    default: range.count
    }
  }
}
