import CronppEngine
import CronppLua
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A local HTTP server the bridge tests talk to, on 127.0.0.1 and a port the system picks.
/// One serves the whole test process; tests tell their requests apart by path.
enum TestServer {
  private static let started = Task { try await start() }

  /// `http://127.0.0.1:PORT`.
  static func base() async throws -> String { "http://127.0.0.1:\(try await started.value.port)" }
  static func port() async throws -> Int { try await started.value.port }

  /// How often `/hit/TOKEN` was requested, to prove a denied request never arrived.
  static func hits(_ token: String) async throws -> Int { try await started.value.hits.count(token) }

  private struct Running: Sendable {
    let port: Int
    let hits: Hits
  }

  private final class Hits: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    func record(_ token: String) { counts.withLock { $0[token, default: 0] += 1 } }
    func count(_ token: String) -> Int { counts.withLock { $0[token, default: 0] } }
  }

  /// What `/echo` saw, returned as JSON.
  private struct Echo: Codable {
    var method: String
    var host: String
    var headers: [String: String]
    var body: String
  }

  private static func start() async throws -> Running {
    let hits = Hits()
    let router = Router()
    router.get("/hello") { _, _ in
      Response(
        status: .ok, headers: [.contentType: "text/plain", HTTPField.Name("X-Test")!: "yes"],
        body: .init(byteBuffer: ByteBuffer(string: "hello")))
    }
    for method in [HTTPRequest.Method.get, .post, .put, .delete, .patch] {
      router.on("/echo", method: method) { request, _ in
        let body = try await request.body.collect(upTo: 1 << 20)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let echo = Echo(method: request.method.rawValue, host: request.head.authority ?? "", headers: headers, body: String(buffer: body))
        return Response(
          status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(echo))))
      }
    }
    router.get("/status/:code") { _, context in
      let code = try context.parameters.require("code", as: Int.self)
      return Response(status: .init(code: code), body: .init(byteBuffer: ByteBuffer(string: "status \(code)")))
    }
    router.get("/redirect/:n") { _, context in
      let n = try context.parameters.require("n", as: Int.self)
      return Response(status: .found, headers: [.location: n > 0 ? "/redirect/\(n - 1)" : "/hello"])
    }
    router.get("/loop") { _, _ in Response(status: .found, headers: [.location: "/loop"]) }
    for method in [HTTPRequest.Method.get, .post] {
      // `/to?status=307&url=...` redirects anywhere, with any redirect status.
      router.on("/to", method: method) { request, _ in
        let status = request.uri.queryParameters.get("status", as: Int.self) ?? 302
        return Response(status: .init(code: status), headers: [.location: request.uri.queryParameters.get("url") ?? "/hello"])
      }
    }
    router.get("/big") { request, _ in
      let total = request.uri.queryParameters.get("bytes", as: Int.self) ?? 0
      return Response(
        status: .ok,
        body: ResponseBody { writer in
          let chunk = ByteBuffer(repeating: UInt8(ascii: "x"), count: 1 << 16)
          var left = total
          while left > 0 {
            try await writer.write(left >= chunk.readableBytes ? chunk : chunk.getSlice(at: 0, length: left)!)
            left -= chunk.readableBytes
          }
          try await writer.finish(nil)
        })
    }
    router.get("/slow") { request, _ in
      try await Task.sleep(for: .seconds(request.uri.queryParameters.get("seconds", as: Double.self) ?? 5))
      return "late"
    }
    router.get("/hit/:token") { _, context in
      hits.record(try context.parameters.require("token"))
      return "hit"
    }

    let (ports, portReady) = AsyncStream<Int>.makeStream()
    let app = Application(
      router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
      onServerRunning: { channel in
        portReady.yield(channel.localAddress?.port ?? 0)
        portReady.finish()
      },
      logger: Logger(label: "test-server", factory: { _ in SwiftLogNoOpLogHandler() }))
    Task { try await app.runService(gracefulShutdownSignals: []) }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next(), port > 0 else { throw CancellationError() }
    return Running(port: port, hits: hits)
  }
}

/// Runs `source` as a task with `grants` on a thread of its own, as the engine does.
func runWithBridges(
  _ source: String, grants: [String], wallTime: Double = 10, http: (any HTTPBridge)? = HTTPClientBridge(),
  exec: (any ProcessRunner)? = SubprocessRunner()
) async -> LuaRunOutcome {
  await timedRunWithBridges(source, grants: grants, wallTime: wallTime, http: http, exec: exec).outcome
}

/// Also how long the run itself took, timed on its own thread: the test's task may resume
/// later when other tests keep Swift's pool busy.
func timedRunWithBridges(
  _ source: String, grants: [String], wallTime: Double = 10, http: (any HTTPBridge)? = HTTPClientBridge(),
  exec: (any ProcessRunner)? = SubprocessRunner()
) async -> (outcome: LuaRunOutcome, seconds: TimeInterval) {
  let task = LuaTask(name: "bridge-test", source: source, chunkName: "bridge-test.lua", grants: grants, limits: LuaLimits(wallTime: wallTime))
  let services = LuaServices(http: http, exec: exec)
  return await LuaThread.run {
    let started = Date()
    let outcome = LuaRuntime.run(task, services: services)
    return (outcome, Date().timeIntervalSince(started))
  }
}

/// The run's returned table, decoded from its JSON result.
func resultObject(_ outcome: LuaRunOutcome) -> [String: Any] {
  guard let text = outcome.result, let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return [:] }
  return object
}
