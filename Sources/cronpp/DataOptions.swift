import ArgumentParser
import Foundation

/// `--data-db PATH` (env `CRONPP_DATA_DB`): the database Lua's `db` reaches.
struct DataOptions: ParsableArguments {
  @Option(
    name: .customLong("data-db"),
    help: ArgumentHelp("The data database tasks reach through db (env CRONPP_DATA_DB; default none).", valueName: "path"))
  var path: String?

  var resolvedPath: String? {
    if let path { return path }
    if let path = ProcessInfo.processInfo.environment["CRONPP_DATA_DB"], !path.isEmpty { return path }
    return nil
  }
}
