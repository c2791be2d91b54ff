import CronppStore
import Foundation
import Testing

/// `cronpp run TASK` and `cronpp run --script FILE`, end to end against the built binary.
struct RunCommandTests {
  let root = FileManager.default.temporaryDirectory.appendingPathComponent("cronpp-run-\(UUID().uuidString)").path
  var database: String { root + "/cronpp.sqlite" }
  var data: String { root + "/data.sqlite" }

  init() throws {
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
  }

  func write(_ name: String, _ text: String) throws -> String {
    let path = root + "/" + name
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  func cronpp(_ arguments: [String]) throws -> BinaryRunner.Output {
    try BinaryRunner.cronpp().run(arguments + ["--db", database])
  }

  @Test("run TASK records a manual run, streams its log lines and exits 0")
  func runsStoredTask() throws {
    #expect(try cronpp(["add", "hello", "--schedule", "@daily", "--lua", "log.info('hi there', {n = 2}) return {done = true}"]).status == 0)
    let output = try cronpp(["run", "hello"])
    #expect(output.status == 0, "\(output.stderr)")
    #expect(output.stdout.contains("info   hi there  {\"n\":2}"))
    #expect(output.stderr.contains("run 1 of hello: success in"))
    #expect(output.stderr.contains(#"result {"done":true}"#))
    let runs = try Store(path: database).runs(of: "hello")
    #expect(runs.map(\.trigger) == [.manual])
    #expect(runs.map(\.status) == [.success])
  }

  @Test("a failing task exits 1 with the error and traceback, and is recorded as failed")
  func failingTask() throws {
    _ = try cronpp(["add", "boom", "--schedule", "@daily", "--lua", "local t = {}\nerror('no luck')"])
    let output = try cronpp(["run", "boom"])
    #expect(output.status == 1)
    #expect(output.stderr.hasPrefix("cronpp: error: run 1 of boom: failed: boom.lua:2: no luck\n"), "\(output.stderr)")
    #expect(output.stderr.contains("stack traceback:"))
    #expect(try Store(path: database).runs(of: "boom").first?.status == .failed)
  }

  @Test("run --json prints the run record with its lines and nothing else on stdout")
  func json() throws {
    _ = try cronpp(["add", "quiet", "--schedule", "@daily", "--lua", "print('a') return 7"])
    let output = try cronpp(["run", "quiet", "--json"])
    #expect(output.status == 0)
    let object = try #require(JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
    #expect(object["status"] as? String == "success")
    #expect(object["result"] as? String == "7")
    #expect(object["id"] as? Int == 1)
    #expect((object["lines"] as? [[String: Any]])?.first?["message"] as? String == "a")
  }

  @Test("run --script runs a file with only the flags' grants and records nothing")
  func script() throws {
    let script = try write("adhoc.lua", "db.exec('CREATE TABLE IF NOT EXISTS t (x)') db.exec('INSERT INTO t VALUES (?)', task.config.x) return db.query('SELECT x FROM t')[1].x")
    let output = try cronpp(["run", "--script", script, "--data-db", data, "--config", #"{"x": 5}"#, "--allow", "db:write", "--json"])
    #expect(output.status == 0, "\(output.stderr)")
    #expect(output.stdout.contains(#""result" : "5""#))
    let denied = try cronpp(["run", "--script", script, "--data-db", data, "--config", #"{"x": 5}"#, "--allow", "db"])
    #expect(denied.status == 1)
    #expect(denied.stderr.contains("not allowed: db write (grant with --allow db:write)"))
    #expect(!FileManager.default.fileExists(atPath: database))
  }

  @Test("an unrecorded script cannot use the cronpp database as its data database")
  func storeIsNotData() throws {
    _ = try cronpp(["add", "a", "--schedule", "@daily", "--lua", "return 1"])
    let script = try write("sneaky.lua", "return db.exec('DELETE FROM task')")
    let output = try cronpp(["run", "--script", script, "--data-db", database, "--allow", "db:write"])
    #expect(output.status == 1)
    #expect(output.stderr.contains("cannot be the cronpp store"), "\(output.stderr)")
    #expect(try Store(path: database).tasks().count == 1)
  }

  @Test("run --script --timeout and --memory-limit set the budgets")
  func budgets() throws {
    let loop = try write("loop.lua", "while true do end")
    let started = Date()
    let timedOut = try cronpp(["run", "--script", loop, "--timeout", "1s"])
    #expect(timedOut.status == 1)
    #expect(timedOut.stderr.contains("loop: timeout: wall-clock budget exceeded"))
    #expect(Date().timeIntervalSince(started) < 10)
    let hog = try write("hog.lua", "local t = {} for i = 1, 1e8 do t[i] = i end")
    let capped = try cronpp(["run", "--script", hog, "--memory-limit", "8M"])
    #expect(capped.stderr.contains("memory limit exceeded"))
    #expect(try cronpp(["run", "--script", hog, "--memory-limit", "lots"]).stderr.contains("--memory-limit: 'lots' is not a size"))
  }

  @Test("run --script --record records under the task its @task line names")
  func record() throws {
    _ = try cronpp(["add", "counter", "--schedule", "@daily", "--lua", "return 0"])
    let script = try write("counter.lua", "--- @task counter\n--- @schedule @daily\nlocal n = (kv.get('n') or 0) + 1 kv.set('n', n) return n")
    #expect(try cronpp(["run", "--script", script, "--record"]).status == 0)
    let second = try cronpp(["run", "--script", script, "--record", "--json"])
    #expect(second.stdout.contains(#""result" : "2""#))
    #expect(try Store(path: database).runs(of: "counter").count == 2)
  }

  @Test("bad usage exits 2 without touching the store", arguments: [
    (["run"], "name a task or pass --script FILE"),
    (["run", "x", "--script", "y.lua"], "name a task or pass --script FILE"),
    (["run", "x", "--timeout", "5s"], "apply to --script"),
    (["run", "nope"], "no task named 'nope'"),
    (["run", "--script", "/nonexistent.lua"], "cannot read /nonexistent.lua"),
    (["run", "--script", "EMPTY", "--allow", "root"], "--allow: 'root' is not a grant"),
    (["run", "--script", "EMPTY", "--config", "[1]"], "--config: must be a JSON object"),
  ])
  func badUsage(arguments: [String], message: String) throws {
    let empty = try write("empty.lua", "")
    let output = try cronpp(arguments.map { $0 == "EMPTY" ? empty : $0 })
    #expect(output.status == 2)
    #expect(output.stderr.contains(message), "\(output.stderr)")
    #expect(!FileManager.default.fileExists(atPath: database))
  }

  @Test("add, edit and apply refuse a body that is not valid Lua, naming file and line")
  func syntaxChecked() throws {
    let added = try cronpp(["add", "bad", "--schedule", "@daily", "--lua", "return {"])
    #expect(added.status == 2)
    #expect(added.stderr.hasPrefix("cronpp: error: --lua:1: unexpected symbol near <eof>"), "\(added.stderr)")
    _ = try cronpp(["add", "good", "--schedule", "@daily", "--lua", "return 1"])
    let file = try write("bad.lua", "local x = 1\nx = = 2\n")
    let edited = try cronpp(["edit", "good", "--file", file])
    #expect(edited.status == 2)
    #expect(edited.stderr.contains("bad.lua:2: unexpected symbol near '='"))
    try FileManager.default.createDirectory(atPath: root + "/tasks", withIntermediateDirectories: true)
    _ = try write("tasks/broken.lua", "--- @task broken\n--- @schedule @daily\nreturn (\n")
    let applied = try cronpp(["apply", root + "/tasks"])
    #expect(applied.status == 2)
    #expect(applied.stderr.contains("broken.lua:4:"), "\(applied.stderr)")
    #expect(try Store(path: database).tasks().map(\.name) == ["good"])
  }

  @Test("--allow on add and edit sets and clears the task's grants")
  func grants() throws {
    _ = try cronpp(["add", "hook", "--schedule", "@daily", "--lua", "return 1", "--allow", "http:API.example.com", "--allow", "db"])
    #expect(try Store(path: database).task(named: "hook").capabilities == ["db", "http:api.example.com"])
    _ = try cronpp(["edit", "hook", "--allow", ""])
    #expect(try Store(path: database).task(named: "hook").capabilities == [])
    let bad = try cronpp(["edit", "hook", "--allow", "http:x.com/path"])
    #expect(bad.status == 2)
    #expect(bad.stderr.contains("--allow: 'http:x.com/path' must name a host alone"))
  }
}
