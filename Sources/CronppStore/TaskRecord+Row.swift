import Foundation
import GRDB

extension TaskRecord {
  /// Decodes a row by hand, by column name. GRDB's Codable decoding converts each column
  /// name from snake_case again on every row, which made `cronpp ls` over 10,000 tasks
  /// take over a second (BENCHMARKS.md, Store). A stored property added to `TaskRecord`
  /// must be read here too; the compiler insists unless it is an optional `var`.
  public init(row: Row) throws {
    func instant(_ column: String) throws -> Date? {
      try (row.decode(Double?.self, forColumn: column)).map(Date.init(timeIntervalSince1970:))
    }
    id = try row.decode(forColumn: "id")
    name = try row.decode(forColumn: "name")
    description = try row.decode(forColumn: "description")
    schedule = try row.decode(forColumn: "schedule")
    timeZone = try row.decode(forColumn: "time_zone")
    body = try row.decode(forColumn: "body")
    sourcePath = try row.decode(forColumn: "source_path")
    enabled = try row.decode(forColumn: "enabled")
    locked = try row.decode(forColumn: "locked")
    managed = try row.decode(forColumn: "managed")
    timeoutSeconds = try row.decode(forColumn: "timeout_seconds")
    retries = try row.decode(forColumn: "retries")
    backoffBaseSeconds = try row.decode(forColumn: "backoff_base_seconds")
    backoffCapSeconds = try row.decode(forColumn: "backoff_cap_seconds")
    overlap = try Self.value(row.decode(forColumn: "overlap"), column: "overlap")
    missed = try Self.value(row.decode(forColumn: "missed"), column: "missed")
    autoDisableAfter = try row.decode(forColumn: "auto_disable_after")
    onFailure = try row.decode(forColumn: "on_failure")
    config = try row.decode(forColumn: "config")
    capabilities = try Self.strings(row.decode(forColumn: "capabilities"))
    tags = try Self.strings(row.decode(forColumn: "tags"))
    nextRunAt = try instant("next_run_at")
    successCount = try row.decode(forColumn: "success_count")
    failureCount = try row.decode(forColumn: "failure_count")
    consecutiveFailures = try row.decode(forColumn: "consecutive_failures")
    lastRunAt = try instant("last_run_at")
    lastStatus = try (row.decode(String?.self, forColumn: "last_status")).map { try Self.value($0, column: "last_status") }
    lastSuccessAt = try instant("last_success_at")
    lastFailureAt = try instant("last_failure_at")
    createdAt = Date(timeIntervalSince1970: try row.decode(Double.self, forColumn: "created_at"))
    updatedAt = Date(timeIntervalSince1970: try row.decode(Double.self, forColumn: "updated_at"))
  }

  /// A JSON array of strings as stored (`["ops","nightly"]`): read directly when no string
  /// has an escape, else by `JSONDecoder`.
  static func strings(_ json: String) throws -> [String] {
    var strings: [String] = []
    var rest = json.utf8[...]
    func skipBlanks() { rest = rest.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 } }
    skipBlanks()
    guard rest.popFirst() == UInt8(ascii: "["), !json.utf8.contains(UInt8(ascii: "\\")) else { return try decoded(json) }
    skipBlanks()
    if rest.first == UInt8(ascii: "]") {
      rest.removeFirst()
      skipBlanks()
      return rest.isEmpty ? [] : try decoded(json)
    }
    while true {
      guard rest.popFirst() == UInt8(ascii: "\""), let end = rest.firstIndex(of: UInt8(ascii: "\"")),
        let string = String(rest[..<end])
      else { return try decoded(json) }
      strings.append(string)
      rest = rest[rest.index(after: end)...]
      skipBlanks()
      switch rest.popFirst() {
      case UInt8(ascii: ","): skipBlanks()
      case UInt8(ascii: "]"):
        skipBlanks()
        return rest.isEmpty ? strings : try decoded(json)
      default: return try decoded(json)
      }
    }
  }

  /// An enum from its stored text, read as a `String` first: GRDB's generic path for
  /// `RawRepresentable` columns cost a tenth of a 10,000-task listing.
  private static func value<Value: RawRepresentable<String>>(_ text: String, column: String) throws -> Value {
    guard let value = Value(rawValue: text) else {
      throw DatabaseError(resultCode: .SQLITE_MISMATCH, message: "task.\(column): unexpected value '\(text)'")
    }
    return value
  }

  private static func decoded(_ json: String) throws -> [String] {
    try JSONDecoder().decode([String].self, from: Data(json.utf8))
  }
}
