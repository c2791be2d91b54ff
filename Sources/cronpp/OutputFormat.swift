import ArgumentParser

/// `--table` (default) or `--json`: every data-printing command takes one of them.
enum OutputFormat: String, EnumerableFlag {
  case table, json

  static func help(for value: OutputFormat) -> ArgumentHelp? {
    switch value {
    case .table: "Print a human-readable table (the default)."
    case .json: "Print JSON on stdout and nothing else."
    }
  }
}
