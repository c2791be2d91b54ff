import Foundation

/// The host services a run's bridges reach. CronppLua knows nothing of the store, SQLite,
/// HTTP clients or processes: the engine passes real implementations, tests pass fakes,
/// and a service left `nil` makes its bridge fail with a clear message (DESIGN.md section 1).
///
/// Every call blocks the run's own thread and is given the run's remaining wall time as
/// `timeout`; an implementation must return or fail within it.
public struct LuaServices: Sendable {
  /// Opens the data database for this run, read-only unless `write`. Called at most once
  /// per run, on the first `db` call; the runtime closes it when the run ends.
  public var openData: (@Sendable (_ write: Bool) throws(BridgeError) -> any DataSource)?
  /// This task's persistent `kv` state.
  public var state: (any TaskState)?
  public var http: (any HTTPBridge)?
  public var exec: (any ProcessRunner)?
  /// The host environment `env.get` reads, for granted names only.
  public var environment: [String: String]
  /// Called with each captured line as it is logged (to stream or echo it).
  public var onLine: (@Sendable (LuaLogLine) -> Void)?

  public init(
    openData: (@Sendable (_ write: Bool) throws(BridgeError) -> any DataSource)? = nil,
    state: (any TaskState)? = nil, http: (any HTTPBridge)? = nil, exec: (any ProcessRunner)? = nil,
    environment: [String: String] = [:], onLine: (@Sendable (LuaLogLine) -> Void)? = nil
  ) {
    (self.openData, self.state, self.http, self.exec) = (openData, state, http, exec)
    (self.environment, self.onLine) = (environment, onLine)
  }
}

/// A bridged call that failed; `message` becomes the Lua error (the runtime prefixes the
/// bridge's name, e.g. `db.query: ...`).
public struct BridgeError: Error, Sendable, Equatable {
  public let message: String
  /// The call ran out of the run's wall time (the run then ends as a timeout).
  public let timedOut: Bool
  public init(_ message: String, timedOut: Bool = false) { (self.message, self.timedOut) = (message, timedOut) }
}

// MARK: - db

/// A SQL value crossing the bridge. Lua strings that are valid UTF-8 bind as text, others
/// as blobs; blobs come back as Lua strings.
public enum SQLValue: Sendable, Equatable {
  case null, integer(Int64), real(Double), text(String), blob([UInt8])
}

public struct SQLRows: Sendable, Equatable {
  public var columns: [String]
  public var rows: [[SQLValue]]
  public init(columns: [String], rows: [[SQLValue]]) { (self.columns, self.rows) = (columns, rows) }
}

/// One run's connection to the data database. Used from the run's thread only.
public protocol DataSource: AnyObject {
  /// Rows of one statement; more than `maxRows` rows is an error, not a silent cut.
  func query(_ sql: String, _ arguments: [SQLValue], maxRows: Int, timeout: TimeInterval) throws(BridgeError) -> SQLRows
  /// Runs one statement and returns the number of rows it changed.
  func execute(_ sql: String, _ arguments: [SQLValue], timeout: TimeInterval) throws(BridgeError) -> Int
  func begin(timeout: TimeInterval) throws(BridgeError)
  func commit() throws(BridgeError)
  func rollback()
  /// Rolls back a transaction the script left open, and closes the connection.
  func close()
}

// MARK: - kv

/// A task's persistent key-value state; values are JSON text.
public protocol TaskState: Sendable {
  func get(_ key: String) throws(BridgeError) -> String?
  /// Fails when the task's state would exceed its cap.
  func set(_ key: String, json: String) throws(BridgeError)
  func delete(_ key: String) throws(BridgeError)
}

// MARK: - http

public struct HTTPRequestSpec: Sendable, Equatable {
  public var method: String
  public var url: String
  public var headers: [(name: String, value: String)]
  public var body: [UInt8]?
  public var timeout: TimeInterval
  /// Larger response bodies fail the call.
  public var maxBodyBytes: Int
  public var maxRedirects: Int
  /// Which hosts the request and each redirect may reach.
  public var allowlist: HostAllowlist

  public init(
    method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
    timeout: TimeInterval, maxBodyBytes: Int = 10 << 20, maxRedirects: Int = 5, allowlist: HostAllowlist
  ) {
    (self.method, self.url, self.headers, self.body) = (method, url, headers, body)
    (self.timeout, self.maxBodyBytes, self.maxRedirects, self.allowlist) = (timeout, maxBodyBytes, maxRedirects, allowlist)
  }

  public static func == (a: Self, b: Self) -> Bool {
    a.method == b.method && a.url == b.url && a.headers.elementsEqual(b.headers, by: { $0 == $1 }) && a.body == b.body
      && a.timeout == b.timeout && a.maxBodyBytes == b.maxBodyBytes && a.maxRedirects == b.maxRedirects && a.allowlist == b.allowlist
  }
}

public struct HTTPResponseData: Sendable {
  public var status: Int
  /// Names lowercased; repeated headers joined with ", ".
  public var headers: [String: String]
  public var body: [UInt8]
  /// The URL that answered, after redirects.
  public var url: String
  public init(status: Int, headers: [String: String], body: [UInt8], url: String) {
    (self.status, self.headers, self.body, self.url) = (status, headers, body, url)
  }
}

public protocol HTTPBridge: Sendable {
  /// Performs the request, following at most `maxRedirects` redirects and checking every
  /// hop against `allowlist` (after resolving the host). A status >= 400 is a response,
  /// not an error.
  func perform(_ request: HTTPRequestSpec) throws(BridgeError) -> HTTPResponseData
}

// MARK: - exec

public struct ExecRequest: Sendable, Equatable {
  /// The program (a path, or a name looked up on PATH) and its arguments; no shell.
  public var arguments: [String]
  /// Added to the child's minimal environment (PATH, HOME, LANG, TZ from the host).
  public var environment: [String: String]
  public var workingDirectory: String?
  public var timeout: TimeInterval
  /// Each of stdout and stderr keeps at most this many bytes.
  public var maxOutputBytes: Int

  public init(arguments: [String], environment: [String: String] = [:], workingDirectory: String? = nil, timeout: TimeInterval, maxOutputBytes: Int = 1 << 20) {
    (self.arguments, self.environment, self.workingDirectory) = (arguments, environment, workingDirectory)
    (self.timeout, self.maxOutputBytes) = (timeout, maxOutputBytes)
  }
}

public struct ExecResult: Sendable, Equatable {
  /// The exit status, or 128 + the signal number when a signal ended the child.
  public var code: Int32
  public var stdout: [UInt8]
  public var stderr: [UInt8]
  public init(code: Int32, stdout: [UInt8], stderr: [UInt8]) { (self.code, self.stdout, self.stderr) = (code, stdout, stderr) }
}

public protocol ProcessRunner: Sendable {
  /// Runs the child in its own process group; at `timeout` the whole group is killed and
  /// the call fails with `timedOut`.
  func run(_ request: ExecRequest) throws(BridgeError) -> ExecResult
}
