import ArgumentParser
import CronppStore
import Foundation

/// `--db PATH` (env `CRONPP_DB`), shared by every command that reads or writes tasks.
struct StoreOptions: ParsableArguments {
  @Option(
    name: .customLong("db"),
    help: ArgumentHelp("The cronpp database (env CRONPP_DB; default $XDG_STATE_HOME/cronpp/cronpp.sqlite or ~/.local/state/cronpp/cronpp.sqlite).", valueName: "path"))
  var path: String?

  var resolvedPath: String {
    let environment = ProcessInfo.processInfo.environment
    if let path { return path }
    if let path = environment["CRONPP_DB"], !path.isEmpty { return path }
    return Store.defaultPath(environment: environment)
  }

  /// Opens the store; failures map to exit 3 (environment) or 2 (input).
  func open() throws -> Store {
    do {
      return try Store(path: resolvedPath)
    } catch {
      throw CommandFailure.store(error)
    }
  }
}

extension StoreOptions {
  /// The store if its file exists; looking a name up should not create a database.
  func openIfPresent() throws -> Store? {
    FileManager.default.fileExists(atPath: resolvedPath) ? try open() : nil
  }

  /// The store for a command about existing tasks: with no database file there are none,
  /// and a failing command must not leave a new database behind.
  func open(holding name: String) throws -> Store {
    guard let store = try openIfPresent() else { throw CommandFailure.store(.taskNotFound(name)) }
    return store
  }
}

/// The OS user a change is audited under.
enum Actor {
  static var current: String {
    if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
    return ProcessInfo.processInfo.environment["USER"] ?? "uid \(geteuid())"
  }
}

extension CommandFailure {
  static func store(_ error: StoreError) -> CommandFailure {
    let hint: String? =
      switch error {
      case .taskNotFound: "see 'cronpp ls' for the task names"
      case .taskExists(let name): "change it with 'cronpp edit \(name)' or pick another name"
      case .taskLocked(let name): "unlock it first with 'cronpp unlock \(name)'"
      case .taskManaged: "change the task's file and run 'cronpp apply', or pass --force (audited)"
      case .busy: "retry, or stop the process holding the database"
      case .newerSchema: "upgrade cronpp"
      case .notADatabase, .unreadable: "check --db or CRONPP_DB"
      default: nil
      }
    return CommandFailure(kind: error.isEnvironmental ? .environment : .usage, message: error.description, detail: hint.map { "hint: \($0)" })
  }

  /// A bad setting, named as written (`--timeout`, or `@timeout` in a task file); a bad
  /// schedule also shows the expression with a caret under the token.
  static func setting(_ error: SettingError, prefix: String = "--") -> CommandFailure {
    if let scheduleError = error.scheduleError, let expression = error.expression {
      let caret = CommandFailure.schedule(scheduleError, in: expression)
      return CommandFailure(kind: .usage, message: "\(prefix)\(error.setting): \(caret.message)", detail: caret.detail)
    }
    return .usage("\(prefix)\(error.setting): \(error.message)")
  }

  /// Any error a store-backed command can meet, as the failure the contract wants.
  static func wrap(_ error: Error) -> Error {
    if let error = error as? StoreError { return CommandFailure.store(error) }
    if let error = error as? SettingError { return CommandFailure.setting(error) }
    return error
  }
}
