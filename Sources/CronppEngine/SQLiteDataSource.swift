import CronppLua
import Foundation
import GRDBSQLite

/// A run's connection to the data database, behind Lua's `db`.
///
/// It speaks SQLite's C API directly rather than through GRDB: the sandbox needs its own
/// authorizer (no ATTACH, so no VACUUM INTO and no reaching the cronpp store; no
/// extensions; a short list of PRAGMAs), and GRDB keeps the authorizer for its own
/// bookkeeping. Every call is bounded by the run's deadline through the busy timeout and a
/// progress handler that interrupts the statement.
public final class SQLiteDataSource: DataSource {
  private let connection: OpaquePointer
  private let writable: Bool
  /// Monotonic seconds; read by the progress handler.
  private let deadline = UnsafeMutablePointer<Double>.allocate(capacity: 1)
  private var inTransaction = false
  private var closed = false

  /// Opens `path`, read-only unless `write` (then created if missing). Refuses the cronpp
  /// store itself, whatever path reaches it.
  public init(path: String, write: Bool, storePath: String?) throws(BridgeError) {
    if let storePath, Self.sameFile(path, storePath) {
      throw BridgeError("the data database cannot be the cronpp store (\(path))")
    }
    var handle: OpaquePointer?
    let flags = write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY
    let status = sqlite3_open_v2(path, &handle, flags | SQLITE_OPEN_NOMUTEX, nil)
    guard status == SQLITE_OK, let handle else {
      let reason = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
      sqlite3_close_v2(handle)
      throw BridgeError("cannot open the data database \(path): \(reason)")
    }
    (connection, writable) = (handle, write)
    deadline.initialize(to: .infinity)
    sqlite3_limit(handle, SQLITE_LIMIT_ATTACHED, 0)
    sqlite3_limit(handle, SQLITE_LIMIT_LENGTH, 16 << 20)
    sqlite3_extended_result_codes(handle, 1)
    sqlite3_set_authorizer(handle, { _, action, first, _, _, _ in SQLiteDataSource.authorize(action, first) }, nil)
    sqlite3_progress_handler(handle, 1000, { context in
      guard let context else { return 0 }
      return monotonicNow() > context.assumingMemoryBound(to: Double.self).pointee ? 1 : 0
    }, deadline)
    // The schema must be readable now, so a file that is not SQLite fails here, clearly.
    do throws(BridgeError) {
      _ = try query("SELECT count(*) FROM sqlite_schema", [], maxRows: 1, timeout: 5)
    } catch {
      close()
      throw BridgeError("cannot open the data database \(path): \(error.message)")
    }
  }

  deinit {
    close()
    deadline.deallocate()
  }

  public func query(_ sql: String, _ arguments: [SQLValue], maxRows: Int, timeout: TimeInterval) throws(BridgeError) -> SQLRows {
    let statement = try prepare(sql, arguments, timeout: timeout)
    defer { sqlite3_finalize(statement) }
    let count = sqlite3_column_count(statement)
    let columns = (0..<count).map { String(cString: sqlite3_column_name(statement, $0)) }
    var rows: [[SQLValue]] = []
    var bytes = 0
    while true {
      let status = sqlite3_step(statement)
      if status == SQLITE_DONE { break }
      guard status == SQLITE_ROW else { throw failure(status) }
      guard rows.count < maxRows else {
        throw BridgeError("the result has more than \(maxRows) rows; add LIMIT, or page with WHERE")
      }
      let row = (0..<count).map { column(statement, $0) }
      bytes += row.reduce(0) { $0 + $1.size }
      guard bytes <= Self.maxResultBytes else { throw BridgeError("the result is larger than 16 MiB; select fewer columns or rows") }
      rows.append(row)
    }
    return SQLRows(columns: columns, rows: rows)
  }

  public func execute(_ sql: String, _ arguments: [SQLValue], timeout: TimeInterval) throws(BridgeError) -> Int {
    let statement = try prepare(sql, arguments, timeout: timeout)
    defer { sqlite3_finalize(statement) }
    var status = sqlite3_step(statement)
    while status == SQLITE_ROW { status = sqlite3_step(statement) }
    guard status == SQLITE_DONE else { throw failure(status) }
    return Int(sqlite3_changes64(connection))
  }

  public func begin(timeout: TimeInterval) throws(BridgeError) {
    guard !inTransaction else { throw BridgeError("already in a transaction (db.tx does not nest)") }
    _ = try execute(writable ? "BEGIN IMMEDIATE" : "BEGIN", [], timeout: timeout)
    inTransaction = true
  }

  public func commit() throws(BridgeError) {
    guard inTransaction else { return }
    inTransaction = false
    _ = try execute("COMMIT", [], timeout: 5)
  }

  public func rollback() {
    guard inTransaction else { return }
    inTransaction = false
    sqlite3_exec(connection, "ROLLBACK", nil, nil, nil)
  }

  public func close() {
    guard !closed else { return }
    closed = true
    deadline.pointee = .infinity
    if sqlite3_get_autocommit(connection) == 0 { sqlite3_exec(connection, "ROLLBACK", nil, nil, nil) }
    sqlite3_close_v2(connection)
  }

  /// Results past this many bytes fail: the rows are copied into the script's memory.
  static let maxResultBytes = 16 << 20

  /// One statement, prepared and bound, with the deadline armed.
  private func prepare(_ sql: String, _ arguments: [SQLValue], timeout: TimeInterval) throws(BridgeError) -> OpaquePointer {
    guard !closed else { throw BridgeError("the data database is closed") }
    deadline.pointee = monotonicNow() + timeout
    sqlite3_busy_timeout(connection, Int32(min(max(timeout, 0), 86_400) * 1000))
    var statement: OpaquePointer?
    var tail: UnsafePointer<CChar>?
    let status = sql.withCString { text in
      let status = sqlite3_prepare_v3(connection, text, -1, 0, &statement, &tail)
      if status == SQLITE_OK, let tail, tail.pointee != 0, !String(cString: tail).allSatisfy({ $0.isWhitespace || $0 == ";" }) {
        return SQLITE_MISUSE
      }
      return status
    }
    if status == SQLITE_MISUSE {
      sqlite3_finalize(statement)
      throw BridgeError("one statement per call: pass each statement to its own db.exec")
    }
    guard status == SQLITE_OK, let statement else {
      sqlite3_finalize(statement)
      throw failure(status)
    }
    if !writable && sqlite3_stmt_readonly(statement) == 0 {
      sqlite3_finalize(statement)
      throw BridgeError("not allowed: db write (grant with --allow db:write)")
    }
    let expected = Int(sqlite3_bind_parameter_count(statement))
    guard expected == arguments.count else {
      sqlite3_finalize(statement)
      throw BridgeError("the statement has \(expected) parameter\(expected == 1 ? "" : "s") and the call passed \(arguments.count)")
    }
    for (offset, value) in arguments.enumerated() { bind(value, at: Int32(offset + 1), in: statement) }
    return statement
  }

  private func bind(_ value: SQLValue, at index: Int32, in statement: OpaquePointer) {
    switch value {
    case .null: sqlite3_bind_null(statement, index)
    case .integer(let i): sqlite3_bind_int64(statement, index, i)
    case .real(let d): sqlite3_bind_double(statement, index, d)
    case .text(let s): sqlite3_bind_text(statement, index, s, -1, SQLITE_TRANSIENT)
    case .blob(let b): b.withUnsafeBytes { _ = sqlite3_bind_blob(statement, index, $0.baseAddress, Int32($0.count), SQLITE_TRANSIENT) }
    }
  }

  private func column(_ statement: OpaquePointer, _ index: Int32) -> SQLValue {
    switch sqlite3_column_type(statement, index) {
    case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, index))
    case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, index))
    case SQLITE_TEXT:
      let count = Int(sqlite3_column_bytes(statement, index))
      guard let text = sqlite3_column_text(statement, index) else { return .text("") }
      return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
    case SQLITE_BLOB:
      let count = Int(sqlite3_column_bytes(statement, index))
      guard let blob = sqlite3_column_blob(statement, index) else { return .blob([]) }
      return .blob(Array(UnsafeRawBufferPointer(start: blob, count: count)))
    default: return .null
    }
  }

  /// SQLite's message, or a timeout once the progress handler or busy wait hit the deadline.
  private func failure(_ status: Int32) -> BridgeError {
    let primary = status & 0xff
    if (primary == SQLITE_INTERRUPT || primary == SQLITE_BUSY) && monotonicNow() >= deadline.pointee {
      return BridgeError("the run's deadline passed during the statement", timedOut: true)
    }
    if primary == SQLITE_READONLY && !writable { return BridgeError("not allowed: db write (grant with --allow db:write)") }
    return BridgeError(String(cString: sqlite3_errmsg(connection)))
  }

  /// ATTACH (and VACUUM INTO, which attaches) would reach other files; extensions and most
  /// PRAGMAs would reach the host. Reading schema PRAGMAs stays allowed.
  private static func authorize(_ action: Int32, _ first: UnsafePointer<CChar>?) -> Int32 {
    switch action {
    case SQLITE_ATTACH, SQLITE_DETACH: return SQLITE_DENY
    case SQLITE_PRAGMA:
      guard let first else { return SQLITE_DENY }
      return allowedPragmas.contains(String(cString: first).lowercased()) ? SQLITE_OK : SQLITE_DENY
    default: return SQLITE_OK
    }
  }

  static let allowedPragmas: Set<String> = [
    "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo", "foreign_key_list",
    "foreign_key_check", "integrity_check", "quick_check", "user_version", "foreign_keys", "data_version",
  ]

  private static func sameFile(_ a: String, _ b: String) -> Bool {
    var x = stat(), y = stat()
    guard stat(a, &x) == 0, stat(b, &y) == 0 else { return false }
    return x.st_dev == y.st_dev && x.st_ino == y.st_ino
  }
}

private func monotonicNow() -> Double {
  var now = timespec()
  clock_gettime(CLOCK_MONOTONIC, &now)
  return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

private let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

extension SQLValue {
  /// Bytes the value takes once copied into Lua.
  var size: Int {
    switch self {
    case .null, .integer, .real: 8
    case .text(let s): s.utf8.count
    case .blob(let b): b.count
    }
  }
}
