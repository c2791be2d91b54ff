/// Why the store could not do what was asked, worded once for the CLI's one-line errors.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
  case taskExists(String)
  case taskNotFound(String)
  case runNotFound(Int64)
  case invalidName(String)
  case taskLocked(String)
  case taskManaged(String, source: String?)
  case notADatabase(path: String)
  case unreadable(path: String, reason: String)
  case newerSchema(path: String)
  case busy(path: String)

  public var description: String {
    switch self {
    case .taskExists(let name): "a task named '\(name)' already exists"
    case .taskNotFound(let name): "no task named '\(name)'"
    case .runNotFound(let id): "no run with id \(id)"
    case .invalidName(let name):
      "'\(name)' is not a valid task name: use 1-64 lowercase letters, digits, '-', '_' or '.', starting with a letter or digit"
    case .taskLocked(let name): "task '\(name)' is locked"
    case .taskManaged(let name, let source): "task '\(name)' is managed by \(source.map { "'\($0)'" } ?? "a tasks folder") (cronpp apply)"
    case .notADatabase(let path): "\(path) is not a cronpp database (not SQLite)"
    case .unreadable(let path, let reason): "cannot open \(path): \(reason)"
    case .newerSchema(let path): "\(path) was written by a newer cronpp; this binary does not know its schema"
    case .busy(let path): "\(path) stayed busy past the timeout (another process holds a write lock)"
    }
  }

  /// Environment problems exit 3; the rest are bad input (exit 2).
  public var isEnvironmental: Bool {
    switch self {
    case .notADatabase, .unreadable, .newerSchema, .busy: true
    default: false
    }
  }
}
