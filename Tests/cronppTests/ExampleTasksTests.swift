import CronppStore
import Foundation
import Testing

/// The README tour's promise: the example data seeds, `tasks/` applies, and every example
/// task runs successfully against that data, the webhook against a local receiver.
struct ExampleTasksTests {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
  let root = FileManager.default.temporaryDirectory.appendingPathComponent("cronpp-examples-\(UUID().uuidString)").path
  var database: String { root + "/cronpp.sqlite" }
  var data: String { root + "/example-data.sqlite" }

  func cronpp(_ arguments: [String]) throws -> BinaryRunner.Output {
    try BinaryRunner.cronpp().run(arguments + ["--db", database])
  }

  func result(_ output: BinaryRunner.Output) throws -> [String: Any] {
    let record = try #require(JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
    let text = try #require(record["result"] as? String)
    return try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  @Test("the seeded example data gives every database task work, and a second run finds none")
  func databaseTasks() throws {
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: root) }
    let seed = try cronpp(["run", "--script", Self.repository + "/examples/data/seed.lua", "--data-db", data, "--allow", "db:write"])
    #expect(seed.status == 0, "\(seed.stderr)")
    #expect(try cronpp(["apply", Self.repository + "/tasks"]).status == 0)
    let expected: [(task: String, key: String, count: Int)] = [
      ("cleanup-expired-tokens", "removed", 5), ("mark-users-offline", "offline", 3), ("monthly-billing", "created", 3),
      ("payment-reminders", "reminded", 2), ("old-activity-archiver", "archived", 1200),
    ]
    for (task, key, count) in expected {
      let first = try cronpp(["run", task, "--data-db", data, "--json"])
      #expect(first.status == 0, "\(task): \(first.stderr)")
      #expect(try result(first)[key] as? Int == count, "\(task): \(first.stdout)")
      let again = try cronpp(["run", task, "--data-db", data, "--json"])
      #expect(again.status == 0, "\(task): \(again.stderr)")
      #expect(try result(again)[key] as? Int == 0, "\(task): \(again.stdout)")
    }
    let store = try Store(path: database)
    #expect(try store.runs(of: "monthly-billing").allSatisfy { $0.status == .success && $0.trigger == .manual })
  }

  @Test("the webhook task posts to its configured URL, and fails clearly when nothing answers")
  func webhook() throws {
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: root) }
    #expect(try cronpp(["apply", Self.repository + "/tasks"]).status == 0)
    let receiver = try Receiver()
    defer { receiver.stop() }
    let url = "http://127.0.0.1:\(receiver.port)/hooks/cronpp"
    #expect(try cronpp(["edit", "call-webhook", "--force", "--config", #"{"url": "\#(url)"}"#]).status == 0)
    let delivered = try cronpp(["run", "call-webhook", "--json"])
    #expect(delivered.status == 0, "\(delivered.stderr)")
    #expect(try result(delivered)["status"] as? Int == 200)
    receiver.stop()
    let refused = try cronpp(["run", "call-webhook"])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("127.0.0.1:\(receiver.port)"), "\(refused.stderr)")
  }
}

/// A local HTTP receiver answering every POST with 200 and `{"ok":true}` (Python's
/// http.server, which the test scripts install).
final class Receiver {
  let process = Process()
  let port: Int

  init() throws {
    let server = """
      import http.server
      class Handler(http.server.BaseHTTPRequestHandler):
          def do_POST(self):
              self.rfile.read(int(self.headers.get("content-length", 0)))
              self.send_response(200)
              self.send_header("content-type", "application/json")
              self.end_headers()
              self.wfile.write(b'{"ok":true}')
          def log_message(self, *args):
              pass
      server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
      print(server.server_address[1], flush=True)
      server.serve_forever()
      """
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", server]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    var line = Data()
    while let byte = try pipe.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line += byte }
    guard let port = Int(String(decoding: line, as: UTF8.self)) else { throw CocoaError(.fileReadCorruptFile) }
    self.port = port
  }

  /// SIGKILL: the test runner's children may inherit SIGTERM as ignored.
  func stop() {
    guard process.isRunning else { return }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }
}
