import CronppStore
import Foundation
import Testing

/// A temporary tasks folder and database path for running `cronpp apply` end to end.
private struct Workspace {
  let root: URL
  var tasks: String { root.appendingPathComponent("tasks").path }
  var database: String { root.appendingPathComponent("cronpp.sqlite").path }

  init(files: [String: String]) throws {
    root = FileManager.default.temporaryDirectory.appendingPathComponent("cronpp-apply-\(UUID().uuidString)")
    try FileManager.default.createDirectory(atPath: root.appendingPathComponent("tasks").path, withIntermediateDirectories: true)
    for (name, text) in files { try write(name, text) }
  }

  func write(_ name: String, _ text: String) throws {
    try text.write(toFile: tasks + "/" + name, atomically: true, encoding: .utf8)
  }

  func remove(_ name: String) throws { try FileManager.default.removeItem(atPath: tasks + "/" + name) }

  func cronpp(_ arguments: [String]) throws -> BinaryRunner.Output {
    try BinaryRunner.cronpp().run(arguments + ["--db", database])
  }

  /// Every task as stored and its audit trail. Not the file's bytes: opening a pool may
  /// touch the file (GRDB makes sure a WAL file exists) without changing any data.
  func snapshot() throws -> [String] {
    let store = try Store(path: database)
    let tasks = try store.tasks()
    return try tasks.map { "\($0)" } + tasks.flatMap { try store.auditTrail(of: $0.name).map { "\($0)" } }
  }

  func cleanup() { try? FileManager.default.removeItem(at: root) }
}

private func task(_ name: String, _ schedule: String = "@hourly", _ extra: String = "") -> String {
  "--- @task \(name)\n--- @schedule \(schedule)\n\(extra)return \"\(name)\"\n"
}

@Suite("cronpp apply")
struct ApplyCommandTests {
  @Test("apply prints the plan and the counts; a second run is all unchanged")
  func applyTwice() throws {
    let w = try Workspace(files: ["a.lua": task("alpha"), "b.lua": task("bravo", "*/5 * * * *", "--- @timeout 2m\n")])
    defer { w.cleanup() }
    let first = try w.cronpp(["apply", w.tasks])
    #expect(first.status == 0)
    #expect(first.stderr == "")
    #expect(first.stdout == """
      create  alpha  (\(w.tasks)/a.lua)
      create  bravo  (\(w.tasks)/b.lua)
      applied: 2 created, 0 updated, 0 unchanged, 0 removed

      """)
    let before = try w.snapshot()
    let second = try w.cronpp(["apply", w.tasks])
    #expect(second.status == 0)
    #expect(second.stdout == "unchanged  alpha\nunchanged  bravo\napplied: 0 created, 0 updated, 2 unchanged, 0 removed\n")
    #expect(try w.snapshot() == before)
  }

  @Test("an update names the fields that change, and --dry-run shows it without doing it")
  func updateAndDryRun() throws {
    let w = try Workspace(files: ["billing.lua": task("billing", "0 3 1 * *", "--- @timeout 5m\n"), "x.lua": task("x")])
    defer { w.cleanup() }
    _ = try w.cronpp(["apply", w.tasks])
    try w.write("billing.lua", task("billing", "0 4 1 * *", "--- @timeout 10m\n"))
    try w.write("new.lua", task("fresh"))
    let before = try w.snapshot()
    let dry = try w.cronpp(["apply", w.tasks, "--dry-run"])
    #expect(dry.status == 0)
    #expect(dry.stdout == """
      create  fresh  (\(w.tasks)/new.lua)
      update  billing  schedule, body, timeout
      unchanged  x
      plan only (--dry-run): 1 to create, 1 to update, 1 unchanged, 0 to remove

      """)
    #expect(try w.snapshot() == before)
    let real = try w.cronpp(["apply", w.tasks])
    #expect(real.stdout.hasSuffix("applied: 1 created, 1 updated, 1 unchanged, 0 removed\n"))
  }

  @Test("--json prints the plan as one object")
  func json() throws {
    let w = try Workspace(files: ["a.lua": task("alpha"), "b.lua": task("bravo")])
    defer { w.cleanup() }
    _ = try w.cronpp(["apply", w.tasks])
    try w.write("b.lua", task("bravo", "@daily"))
    try w.write("c.lua", task("charlie"))
    let dry = try w.cronpp(["apply", w.tasks, "--json", "--dry-run"])
    #expect(dry.stdout == #"{"applied":false,"create":["charlie"],"remove":[],"unchanged":["alpha"],"update":[{"fields":["schedule","body"],"name":"bravo"}]}"# + "\n")
    try w.remove("a.lua")
    let pruned = try w.cronpp(["apply", w.tasks, "--json", "--prune"])
    #expect(pruned.stdout == #"{"applied":true,"create":["charlie"],"remove":["alpha"],"unchanged":[],"update":[{"fields":["schedule","body"],"name":"bravo"}]}"# + "\n")
  }

  @Test("a gone file's task stays with a note until --prune removes it")
  func prune() throws {
    let w = try Workspace(files: ["a.lua": task("alpha"), "b.lua": task("bravo"), "util.lua": "local M = {}\nreturn M\n"])
    defer { w.cleanup() }
    let first = try w.cronpp(["apply", w.tasks])
    #expect(first.stderr == "cronpp: note: \(w.tasks)/util.lua has no @task line; skipped (a module for require?)\n")
    try w.remove("b.lua")
    let kept = try w.cronpp(["apply", w.tasks])
    #expect(kept.stdout == "unchanged  alpha\napplied: 0 created, 0 updated, 1 unchanged, 0 removed\n")
    #expect(kept.stderr.hasSuffix("cronpp: note: no file declares bravo any more; --prune removes it\n"))
    let pruned = try w.cronpp(["apply", w.tasks, "--prune"])
    #expect(pruned.stdout == "unchanged  alpha\nremove  bravo\napplied: 0 created, 0 updated, 1 unchanged, 1 removed\n")
    #expect(try w.cronpp(["apply", w.tasks, "--prune"]).stdout.hasSuffix("0 removed\n"))
  }

  @Test("one bad file exits 2 naming file, line and annotation, and the database is untouched")
  func badFile() throws {
    let w = try Workspace(files: ["a.lua": task("alpha")])
    defer { w.cleanup() }
    _ = try w.cronpp(["apply", w.tasks])
    let before = try w.snapshot()
    try w.write("a.lua", task("alpha", "@daily"))
    try w.write("b.lua", task("bravo", "0 0 32 * *"))
    let result = try w.cronpp(["apply", w.tasks, "--prune"])
    #expect(result.status == 2)
    #expect(result.stdout == "")
    #expect(result.stderr == "cronpp: error: \(w.tasks)/b.lua:2: @schedule: day-of-month: 32 is out of range 1-31\n  0 0 32 * *\n      ^^\n")
    #expect(try w.snapshot() == before)
  }

  @Test("header mistakes exit 2 with one error line", arguments: [
    ("--- @task t\n--- @schedule @daily\n--- @timout 5m\n", "t.lua:3: unknown annotation @timout; see cronpp-apply(1) for the ones a task file takes"),
    ("--- @task t\n--- @schedule @daily\n--- @timeout 5 minutes\n",
     "t.lua:3: @timeout: '5 minutes' is not a duration; write <number><unit> groups, units d, h, m, s (e.g. 90s, 2m, 1h30m)"),
    ("--- @task t\n--- @schedule @daily\n--- @allow http://example.com\n",
     "t.lua:3: @allow: 'http://example.com' must name a host alone, without scheme, port or path (e.g. http:api.example.com)"),
  ])
  func headerMistakes(text: String, message: String) throws {
    let w = try Workspace(files: ["t.lua": text])
    defer { w.cleanup() }
    let result = try w.cronpp(["apply", w.tasks])
    #expect(result.status == 2)
    #expect(result.stderr == "cronpp: error: \(w.tasks)/\(message)\n")
    #expect(!FileManager.default.fileExists(atPath: w.database))
  }

  @Test("two files declaring one name, or a missing folder, exit 2")
  func folderErrors() throws {
    let w = try Workspace(files: ["a.lua": task("same"), "b.lua": task("same")])
    defer { w.cleanup() }
    let duplicate = try w.cronpp(["apply", w.tasks])
    #expect(duplicate.status == 2)
    #expect(duplicate.stderr == "cronpp: error: \(w.tasks)/b.lua:1: @task same is already declared in \(w.tasks)/a.lua:1\n")
    let missing = try w.cronpp(["apply", w.tasks + "/nope"])
    #expect(missing.status == 2)
    #expect(missing.stderr == "cronpp: error: \(w.tasks)/nope: no such directory\n")
  }

  @Test("--dry-run against a database that does not exist plans everything as new and creates no file")
  func dryRunCreatesNoDatabase() throws {
    let w = try Workspace(files: ["a.lua": task("alpha")])
    defer { w.cleanup() }
    let result = try w.cronpp(["apply", w.tasks, "--dry-run"])
    #expect(result.stdout == "create  alpha  (\(w.tasks)/a.lua)\nplan only (--dry-run): 1 to create, 0 to update, 0 unchanged, 0 to remove\n")
    #expect(!FileManager.default.fileExists(atPath: w.database))
  }

  @Test("the example task files in tasks/ apply cleanly")
  func repositoryExamples() throws {
    let w = try Workspace(files: [:])
    defer { w.cleanup() }
    let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("tasks").path
    let result = try w.cronpp(["apply", examples, "--json"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout == #"{"applied":true,"create":["call-webhook","cleanup-expired-tokens","mark-users-offline","monthly-billing","old-activity-archiver","payment-reminders"],"remove":[],"unchanged":[],"update":[]}"# + "\n")
  }

  @Test("edit refuses a task that apply manages")
  func editRefusesManagedTask() throws {
    let w = try Workspace(files: ["a.lua": task("alpha")])
    defer { w.cleanup() }
    _ = try w.cronpp(["apply", w.tasks])
    let result = try w.cronpp(["edit", "alpha", "--timeout", "5m"])
    #expect(result.status == 2)
    #expect(result.stderr.hasPrefix("cronpp: error: task 'alpha' is managed by "))
  }
}
