/// One part of a description ("on Monday", "in January", ", in 2030") and how it joins the text before it.
struct DescriptionClause: Equatable {
  var text: String
  /// Reads on with a space ("At 09:30 on Monday in January") while no comma has been used.
  var attachesTightly = false
  /// Later clauses need a comma: the text has its own commas, or an "or" that a tight
  /// "in January" would seem to narrow.
  var isLoose = false
}

/// Joins clauses. Once a comma is used every later clause takes one, so
/// "Every 15 minutes, between 09:00 and 17:59, Monday through Friday, in January" stays even.
struct DescriptionSentence {
  private(set) var text: String
  private var isLoose: Bool

  init(_ first: DescriptionClause) {
    text = first.text
    isLoose = first.isLoose
  }

  mutating func append(_ clause: DescriptionClause?) {
    guard let clause else { return }
    let tight = clause.attachesTightly && !isLoose
    text += (tight ? " " : ", ") + clause.text
    isLoose = isLoose || !tight || clause.isLoose
  }
}
