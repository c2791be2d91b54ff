import CronppStore
import Foundation
import GRDB
import Testing

/// A tasks folder on a temporary directory, next to a fresh store.
private struct Fixture {
  let temp: TemporaryStore
  let folder: URL
  var store: Store { temp.store }
  var path: String { folder.path }

  init(files: [String: String] = [:]) throws {
    temp = try TemporaryStore()
    folder = temp.directory.appendingPathComponent("tasks")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    for (name, text) in files { try write(name, text) }
  }

  func write(_ name: String, _ text: String) throws {
    try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
  }

  func remove(_ name: String) throws { try FileManager.default.removeItem(at: folder.appendingPathComponent(name)) }

  func load() throws -> TaskFolder { try TaskFolder(loading: path) }

  @discardableResult
  func apply(_ orphans: OrphanPolicy = .keep, at now: Date = TemporaryStore.now) throws -> ApplyPlan {
    try store.apply(try load(), orphans: orphans, actor: "ci", now: now)
  }

  /// Every row of every table, and the schema: equal dumps mean nothing was written.
  func dump() throws -> [String] {
    let queue = try DatabaseQueue(path: temp.path)
    return try queue.read { db in
      var lines = try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
      for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") {
        lines += try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"").map { "\(table) \($0)" }.sorted()
      }
      return lines
    }
  }

  func auditActions() throws -> [String] {
    let queue = try DatabaseQueue(path: temp.path)
    return try queue.read { db in try String.fetchAll(db, sql: "SELECT action || ' ' || task_name FROM audit ORDER BY id") }
  }

  func cleanup() { temp.cleanup() }
}

private func task(_ name: String, _ schedule: String = "@hourly", _ extra: String = "") -> String {
  "--- @task \(name)\n--- @schedule \(schedule)\n\(extra)return \"\(name)\"\n"
}

private func summary(_ plan: ApplyPlan) -> [String] {
  plan.steps.map { step in
    switch step.action {
    case .create: "create \(step.name)"
    case .update(let fields): "update \(step.name) " + fields.map(\.rawValue).joined(separator: ",")
    case .unchanged: "unchanged \(step.name)"
    case .remove: "remove \(step.name)"
    }
  }
}

private func realPath(_ url: URL) -> String {
  guard let resolved = realpath(url.path, nil) else { return url.path }
  defer { free(resolved) }
  return String(cString: resolved)
}

struct ApplyTests {
  @Test("a first apply creates the folder's tasks in file order, managed, with their resolved source and grants")
  func firstApply() throws {
    let fixture = try Fixture(files: [
      "b.lua": task("bravo", "*/5 * * * *", "--- @allow db:write env:TOKEN\n--- @tag ops\n"),
      "a.lua": task("alpha"),
      "lib.lua": "local M = {}\nreturn M\n",
      "notes.txt": "not a task",
      ".#a.lua": task("editor-lock-file"),
    ])
    defer { fixture.cleanup() }
    // Not recursive, and a directory with a .lua name is no file.
    try FileManager.default.createDirectory(at: fixture.folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
    try fixture.write("sub/c.lua", task("charlie"))
    try FileManager.default.createDirectory(at: fixture.folder.appendingPathComponent("dir.lua"), withIntermediateDirectories: true)
    let plan = try fixture.apply()
    #expect(summary(plan) == ["create alpha", "create bravo"])
    #expect(plan.steps.map(\.path) == [fixture.path + "/a.lua", fixture.path + "/b.lua"])
    #expect(plan.skipped == [fixture.path + "/lib.lua"])
    let bravo = try fixture.store.task(named: "bravo")
    #expect(bravo.managed && !bravo.locked && bravo.enabled)
    #expect(bravo.sourcePath == realPath(fixture.folder) + "/b.lua")
    #expect(bravo.capabilities == ["db:write", "env:TOKEN"])
    #expect(bravo.tags == ["ops"])
    #expect(bravo.body == task("bravo", "*/5 * * * *", "--- @allow db:write env:TOKEN\n--- @tag ops\n"))
    #expect(bravo.nextRunAt != nil)
    #expect(try fixture.auditActions() == ["apply alpha", "apply bravo"])
  }

  @Test("a second apply without file changes is all unchanged and writes nothing")
  func idempotent() throws {
    let fixture = try Fixture(files: ["a.lua": task("alpha", "@daily", "--- @timeout 2m\n--- @backoff 30s\n--- @config {\"b\": 1, \"a\": [2]}\n")])
    defer { fixture.cleanup() }
    try fixture.apply()
    let before = try fixture.dump()
    let plan = try fixture.apply(at: TemporaryStore.now.addingTimeInterval(3600))
    #expect(summary(plan) == ["unchanged alpha"])
    #expect(!plan.changesSomething)
    #expect(try fixture.dump() == before)
  }

  @Test("a changed file updates the task, naming the fields that change, and keeps its history and lock")
  func update() throws {
    let fixture = try Fixture(files: ["billing.lua": task("billing", "0 3 1 * *", "--- @timeout 5m\n--- @retries 2\n")])
    defer { fixture.cleanup() }
    try fixture.apply()
    let created = try fixture.store.task(named: "billing")
    try fixture.store.update("billing", action: "lock", actor: "ops") { $0.locked = true }
    try fixture.store.record(RunRecord(taskId: try #require(created.id), trigger: .manual, startedAt: TemporaryStore.now, finishedAt: TemporaryStore.now, status: .success))

    try fixture.write("billing.lua", task("billing", "0 4 1 * *", "--- @timeout 10m\n--- @retries 2\n"))
    let later = TemporaryStore.now.addingTimeInterval(60)
    let plan = try fixture.apply(at: later)
    #expect(summary(plan) == ["update billing schedule,body,timeout"])
    let updated = try fixture.store.task(named: "billing")
    #expect(updated.schedule == "0 4 1 * *" && updated.timeoutSeconds == 600)
    #expect(updated.locked && updated.successCount == 1 && updated.id == created.id)
    #expect(updated.createdAt == created.createdAt && updated.updatedAt == later)
    #expect(updated.nextRunAt != created.nextRunAt)
    let audit = try fixture.store.auditTrail(of: "billing")
    #expect(audit.map(\.action) == ["apply", "lock", "apply"])
    #expect(audit[2].oldValue?.contains("0 3 1 * *") == true && audit[2].newValue?.contains("0 4 1 * *") == true)
  }

  @Test("an annotation taken out of the file puts the setting back to its default")
  func removedAnnotationResets() throws {
    let fixture = try Fixture(files: ["a.lua": task("alpha", "@daily", "--- @timeout 2m\n--- @tz Asia/Tokyo\n--- @tag x\n--- @allow exec\n")])
    defer { fixture.cleanup() }
    try fixture.apply()
    try fixture.write("a.lua", task("alpha", "@daily"))
    #expect(summary(try fixture.apply()) == ["update alpha tz,body,timeout,tags,capabilities"])
    let alpha = try fixture.store.task(named: "alpha")
    #expect(alpha.timeoutSeconds == nil && alpha.timeZone == nil && alpha.tags == [] && alpha.capabilities == [])
  }

  @Test("a task made by add is adopted: it becomes managed and takes the file's settings")
  func adoptsUnmanagedTask() throws {
    let fixture = try Fixture(files: ["a.lua": task("alpha", "*/5 * * * *")])
    defer { fixture.cleanup() }
    try fixture.temp.add("alpha")
    #expect(summary(try fixture.apply()) == ["update alpha tz,body,managed,source"])
    #expect(try fixture.store.task(named: "alpha").managed)
  }

  @Test("@disabled counts when it is added or removed; a manual disable outlasts unrelated applies")
  func enabledState() throws {
    let fixture = try Fixture(files: ["a.lua": task("alpha")])
    defer { fixture.cleanup() }
    try fixture.apply()
    try fixture.store.update("alpha", action: "disable", actor: "ops") { $0.enabled = false }
    try fixture.write("a.lua", task("alpha", "@hourly", "--- @timeout 1m\n"))
    #expect(summary(try fixture.apply()) == ["update alpha body,timeout"])
    #expect(try fixture.store.task(named: "alpha").enabled == false)

    try fixture.store.update("alpha", action: "enable", actor: "ops") { $0.enabled = true }
    try fixture.write("a.lua", task("alpha", "@hourly", "--- @timeout 1m\n--- @disabled\n"))
    #expect(summary(try fixture.apply()) == ["update alpha body,enabled"])
    #expect(try fixture.store.task(named: "alpha").nextRunAt == nil)

    try fixture.write("a.lua", task("alpha", "@hourly", "--- @timeout 1m\n"))
    #expect(summary(try fixture.apply()) == ["update alpha body,enabled"])
    #expect(try fixture.store.task(named: "alpha").nextRunAt != nil)
  }

  @Test("without prune a task whose file is gone is kept and reported; with prune it is removed")
  func prune() throws {
    let fixture = try Fixture(files: ["a.lua": task("alpha"), "b.lua": task("bravo"), "c.lua": task("charlie")])
    defer { fixture.cleanup() }
    try fixture.apply()
    try fixture.temp.add("by-hand")
    let elsewhere = try Fixture(files: ["x.lua": task("x-ray")])
    defer { elsewhere.cleanup() }
    try fixture.store.apply(try elsewhere.load(), orphans: .remove, actor: "ci", now: TemporaryStore.now)

    try fixture.remove("b.lua")
    try fixture.write("c.lua", task("charlie-2"))
    let kept = try fixture.apply()
    #expect(summary(kept) == ["create charlie-2", "unchanged alpha"])
    #expect(kept.orphans == ["bravo", "charlie"])
    #expect(try fixture.store.tasks().map(\.name) == ["alpha", "bravo", "by-hand", "charlie", "charlie-2", "x-ray"])

    let pruned = try fixture.apply(.remove)
    #expect(summary(pruned) == ["unchanged alpha", "unchanged charlie-2", "remove bravo", "remove charlie"])
    #expect(pruned.orphans == [])
    #expect(try fixture.store.tasks().map(\.name) == ["alpha", "by-hand", "charlie-2", "x-ray"])
    let removal = try #require(try fixture.store.auditTrail(of: "bravo").last)
    #expect(removal.action == "apply" && removal.oldValue != nil && removal.newValue == nil)
  }

  @Test("a task file moved to another folder moves the task's source rather than duplicating it")
  func moveBetweenFolders() throws {
    let fixture = try Fixture(files: ["a.lua": task("alpha")])
    defer { fixture.cleanup() }
    try fixture.apply()
    let other = try Fixture(files: ["a.lua": task("alpha")])
    defer { other.cleanup() }
    #expect(summary(try fixture.store.apply(try other.load(), orphans: .remove, actor: "ci")) == ["update alpha source"])
    try fixture.remove("a.lua")
    #expect(summary(try fixture.apply(.remove)) == [])
    #expect(try fixture.store.task(named: "alpha").sourcePath == realPath(other.folder) + "/a.lua")
  }

  @Test("the source is recorded with symlinks resolved")
  func symlinkedFolder() throws {
    let fixture = try Fixture(files: ["a.lua": task("alpha")])
    defer { fixture.cleanup() }
    let link = fixture.temp.directory.appendingPathComponent("link")
    try FileManager.default.createSymbolicLink(at: link, withDestinationURL: fixture.folder)
    let plan = try fixture.store.apply(try TaskFolder(loading: link.path), orphans: .keep, actor: "ci")
    #expect(plan.steps.map(\.path) == [link.path + "/a.lua"])
    #expect(try fixture.store.task(named: "alpha").sourcePath == realPath(fixture.folder) + "/a.lua")
    // Pruning through the real path sees the same folder.
    try fixture.remove("a.lua")
    #expect(summary(try fixture.apply(.remove)) == ["remove alpha"])
  }

  @Test("one bad file fails the load, so the database stays exactly as it was")
  func badFileChangesNothing() throws {
    let fixture = try Fixture(files: ["a.lua": task("alpha"), "b.lua": task("bravo")])
    defer { fixture.cleanup() }
    try fixture.apply()
    let before = try fixture.dump()
    try fixture.write("a.lua", task("alpha", "@daily"))
    try fixture.write("c.lua", task("charlie"))
    try fixture.write("d.lua", task("delta", "0 0 31 2 *"))
    let error = try #require(throws: TaskFileError.self) { try fixture.apply(.remove) }
    #expect(error.description.hasPrefix(fixture.path + "/d.lua:2: @schedule: "))
    #expect(try fixture.dump() == before)
  }

  @Test("two files declaring one task name is an error naming both files")
  func duplicateNames() throws {
    let fixture = try Fixture(files: ["a.lua": task("alpha"), "b.lua": "-- the same task again\n" + task("alpha")])
    defer { fixture.cleanup() }
    let error = try #require(throws: TaskFileError.self) { try fixture.load() }
    #expect(error.description == "\(fixture.path)/b.lua:2: @task alpha is already declared in \(fixture.path)/a.lua:1")
  }

  @Test("a folder that is missing, or a file that is not UTF-8, is reported with its path")
  func unreadable() throws {
    let fixture = try Fixture()
    defer { fixture.cleanup() }
    let missing = fixture.path + "/nope"
    let noFolder = try #require(throws: TaskFileError.self) { try TaskFolder(loading: missing) }
    #expect(noFolder.description == "\(missing): no such directory")
    let bytes = Array("--- @task t\n--- @schedule @daily\nlocal s = '".utf8) + [0xFF] + Array("'\n".utf8)
    try Data(bytes).write(to: fixture.folder.appendingPathComponent("t.lua"))
    let error = try #require(throws: TaskFileError.self) { try fixture.load() }
    #expect(error.description == "\(fixture.path)/t.lua:3: not UTF-8 text")
  }

  @Test("a dry-run plan writes nothing")
  func planWritesNothing() throws {
    let fixture = try Fixture(files: ["a.lua": task("alpha")])
    defer { fixture.cleanup() }
    try fixture.temp.add("zulu")
    let before = try fixture.dump()
    let plan = try fixture.store.plan(try fixture.load(), orphans: .remove, now: TemporaryStore.now)
    #expect(summary(plan) == ["create alpha"])
    #expect(try fixture.dump() == before)
  }

  @Test("a write that fails halfway rolls the whole apply back")
  func allOrNothing() throws {
    let fixture = try Fixture(files: ["a.lua": task("alpha")])
    defer { fixture.cleanup() }
    try fixture.apply()
    let queue = try DatabaseQueue(path: fixture.temp.path)
    try queue.write { db in
      try db.execute(sql: "CREATE TRIGGER refuse_zulu BEFORE INSERT ON task WHEN NEW.name = 'zulu' BEGIN SELECT RAISE(ABORT, 'refused'); END")
    }
    let before = try fixture.dump()
    try fixture.write("a.lua", task("alpha", "@daily"))
    try fixture.write("z.lua", task("zulu"))
    #expect(throws: StoreError.self) { try fixture.apply() }
    #expect(try fixture.dump() == before)
  }
}
