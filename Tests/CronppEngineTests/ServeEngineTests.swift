@testable import CronppEngine
import CronppStore
import Foundation
import Logging
import Synchronization
import Testing

/// serve's pure pieces: retry timing, lateness, the log line formats, the worker pool and
/// the watched folder's fingerprint. No clock is read and nothing sleeps on a timer.
struct ServeEngineTests {
  static let at = Date(timeIntervalSince1970: 1_780_000_000.25)

  func task(retries: Int, base: Double = 10, cap: Double = 600) -> TaskRecord {
    var task = TaskRecord(name: "t", schedule: "@daily", body: "", now: Self.at)
    (task.retries, task.backoffBaseSeconds, task.backoffCapSeconds) = (retries, base, cap)
    return task
  }

  @Test("a task retries while the failed attempt is within its retries, waiting half to all of the doubled base")
  func retryDelay() throws {
    let task = task(retries: 2)
    let first = try #require(Scheduler.retryDelay(for: task, after: 1))
    let second = try #require(Scheduler.retryDelay(for: task, after: 2))
    #expect((5...10).contains(first))
    #expect((10...20).contains(second))
    #expect(Scheduler.retryDelay(for: task, after: 3) == nil)
    #expect(Scheduler.retryDelay(for: self.task(retries: 0), after: 1) == nil)
  }

  @Test("lateness is reported for schedule runs only: retries and catch-ups are late by design")
  func lateness() {
    var run = RunRecord(taskId: 1, trigger: .schedule, scheduledAt: Self.at, startedAt: Self.at.addingTimeInterval(0.0034), status: .running)
    #expect(Scheduler.lateness(of: run) == 3.4)
    run.trigger = .retry
    #expect(Scheduler.lateness(of: run) == nil)
    run.trigger = .catchup
    #expect(Scheduler.lateness(of: run) == nil)
  }

  @Test("a text line is logfmt: the event, leading fields in a fixed order, values with spaces quoted")
  func textLine() {
    let line = ServeLogHandler.line(
      at: Self.at, level: .warning, event: "run.finished",
      fields: ["zeta": "last", "status": "failed", "task": "backup", "error": "disk \"full\"", "run": .stringConvertible(12)], format: .text)
    #expect(line == "2026-05-28T20:26:40.250Z warn run.finished task=backup run=12 status=failed error=\"disk \\\"full\\\"\" zeta=last\n")
  }

  @Test("a JSON line is one object: numbers stay numbers, script fields stay an object, text is escaped")
  func jsonLine() throws {
    let line = ServeLogHandler.line(
      at: Self.at, level: .info, event: "task.log",
      fields: ["task": "backup", "run": .stringConvertible(12), "lateness_ms": .stringConvertible(1.5), "message": "a\nb",
        "fields": .stringConvertible(RawJSON("{\"n\":1}"))], format: .json)
    #expect(line.hasSuffix("}\n"))
    let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    #expect(object["event"] as? String == "task.log" && object["level"] as? String == "info")
    #expect(object["run"] as? Int == 12 && object["lateness_ms"] as? Double == 1.5 && object["message"] as? String == "a\nb")
    #expect((object["fields"] as? [String: Any])?["n"] as? Int == 1)
    #expect(line.hasPrefix("{\"at\":\"2026-05-28T20:26:40.250Z\",\"level\":\"info\",\"event\":\"task.log\",\"task\":\"backup\",\"run\":12"))
  }

  @Test("the log handler writes whole lines with the logger's fields")
  func handlerWritesLines() {
    let lines = Mutex<[String]>([])
    let output = ServeLogOutput { line in lines.withLock { $0.append(line) } }
    let logger = Logger(label: "test") { _ in ServeLogHandler(format: .text, output: output) }
    logger.debug("task.log", metadata: ["task": "a", "message": "hi"])
    let written = lines.withLock { $0 }
    #expect(written.count == 1 && written[0].hasSuffix(" debug task.log task=a message=hi\n"))
  }

  @Test("the worker pool runs every job on at most its size of threads, and reports idle when done")
  func workerPool() {
    let pool = WorkerPool(size: 3)
    defer { pool.close() }
    let state = Mutex<(done: Int, active: Int, peak: Int)>((0, 0, 0))
    pool.submit(
      (0..<60).map { _ in
        {
          state.withLock { $0.active += 1; $0.peak = max($0.peak, $0.active) }
          usleep(1000)
          state.withLock { $0.active -= 1; $0.done += 1 }
        }
      })
    #expect(pool.waitUntilIdle(before: Date().addingTimeInterval(30)))
    let final = state.withLock { $0 }
    #expect(final.done == 60 && final.peak <= 3 && final.peak >= 2)
    #expect(pool.pending == 0)
  }

  func look(_ fingerprint: inout FolderFingerprint) -> Bool { fingerprint.changed() }

  @Test("the watched folder's fingerprint changes when a task file is added, edited or removed, not otherwise")
  func folderFingerprint() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cronpp-watch-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    var fingerprint = FolderFingerprint(path: folder.path)
    #expect(!look(&fingerprint))
    let file = folder.appendingPathComponent("a.lua")
    try "return 1".write(to: file, atomically: true, encoding: .utf8)
    #expect(look(&fingerprint))
    #expect(!look(&fingerprint))
    try "notes".write(to: folder.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
    #expect(!look(&fingerprint))
    try "return 22".write(to: file, atomically: true, encoding: .utf8)
    #expect(look(&fingerprint))
    try FileManager.default.removeItem(at: file)
    #expect(look(&fingerprint))
  }

  @Test("a failure notice carries the task, run, status, error, attempt and times")
  func failureNotice() throws {
    var run = RunRecord(
      taskId: 1, trigger: .retry, attempt: 3, scheduledAt: Self.at, startedAt: Self.at, finishedAt: Self.at.addingTimeInterval(2),
      status: .timeout, error: "timed out after 1s")
    run.id = 42
    let notice = FailureNotice(task: "backup", run: run)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(notice.json.utf8)) as? [String: Any])
    #expect(object["task"] as? String == "backup" && object["run"] as? Int == 42 && object["status"] as? String == "timeout")
    #expect(object["attempt"] as? Int == 3 && object["error"] as? String == "timed out after 1s")
    #expect(object["scheduled_at"] as? String == "2026-05-28T20:26:40.250Z" && object["finished_at"] as? String == "2026-05-28T20:26:42.250Z")
    #expect(FailureNotice.isURL("https://hooks.example.com/x") && !FailureNotice.isURL("notifier"))
  }
}
