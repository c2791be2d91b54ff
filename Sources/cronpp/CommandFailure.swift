import CronppSchedule
import Foundation

/// An error a command reports to the user: one `cronpp: error:` line, an optional
/// detail block (the expression with a caret) or hint, and the exit code of the contract.
struct CommandFailure: Error {
  enum Kind { case usage, runFailed, environment }

  let kind: Kind
  let message: String
  let detail: String?

  static func usage(_ message: String, hint: String? = nil) -> CommandFailure {
    CommandFailure(kind: .usage, message: message, detail: hint.map { "hint: \($0)" })
  }

  /// A schedule error, with the expression and a caret under the offending token.
  static func schedule(_ error: ScheduleError, in expression: String) -> CommandFailure {
    let width = max(1, error.token.count)
    let line = expression.replacingOccurrences(of: "\t", with: " ")
    let caret = String(repeating: " ", count: max(0, error.column - 1)) + String(repeating: "^", count: width)
    return CommandFailure(kind: .usage, message: error.description, detail: "  \(line)\n  \(caret)")
  }

  var exitCode: Int32 {
    switch kind {
    case .usage: 2
    case .runFailed: 1
    case .environment: 3
    }
  }

  var rendered: String {
    var text = "cronpp: error: \(message)\n"
    if let detail { text += detail + "\n" }
    return text
  }
}
