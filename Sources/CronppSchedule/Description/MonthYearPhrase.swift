/// The month and year parts of a description: "in January and July", "in 2025 through 2030".
enum MonthYearPhrase {
  /// "January", "January through March and October".
  static func monthNames(_ months: FieldPattern) -> String {
    EnglishWords.list(EnglishWords.items(months.values, name: EnglishWords.month))
  }

  static func months(_ months: FieldPattern) -> DescriptionClause? {
    months == .all ? nil : DescriptionClause(text: "in \(monthNames(months))", attachesTightly: true)
  }

  /// Years always follow a comma: "At 00:00 on January 1, in 2030".
  static func years(_ years: FieldPattern) -> DescriptionClause? {
    switch years {
    case .all:
      nil
    case .step(let n, let r):
      DescriptionClause(text: "every \(n) years from \(r.lowerBound) through \(r.upperBound)")
    case .single, .range, .list:
      DescriptionClause(text: "in \(EnglishWords.numbers(years.values))")
    }
  }
}
