import CronppEngine
import CronppLua
import CronppStore
import Foundation
import Testing

/// Running stored tasks: the run record, kv state, task and run info, env grants, require.
struct TaskRunnerTests {
  let scratch = Scratch()

  func storeWithTask(_ name: String = "report", body: String = "return 1", config: String = "{}", grants: [String] = []) throws -> (Store, TaskRecord) {
    let store = try Store(path: scratch.file("cronpp.sqlite"))
    var task = TaskRecord(name: name, schedule: "@hourly", body: body, now: Date())
    (task.config, task.capabilities) = (config, grants)
    return (store, try store.create(task, actor: "test"))
  }

  @Test("a recorded run is stored with its status, result, log lines and counters, and sees its own id")
  func recordsTheRun() throws {
    let (store, task) = try storeWithTask(body: "log.info('working', {step = 1}) return {id = run.id, trigger = run.trigger, attempt = run.attempt}")
    let runner = TaskRunner(host: RunHost(store: store, dataPath: nil))
    let finished = try runner.run(TaskRunner.luaTask(for: task), recordAs: task, trigger: .manual)
    let id = try #require(finished.record?.id)
    let detail = try store.run(id: id)
    #expect(detail.run.status == .success)
    #expect(detail.run.result == #"{"attempt":1,"id":\#(id),"trigger":"manual"}"# || detail.run.result?.contains("\"id\":\(id)") == true)
    #expect(detail.lines.map(\.message) == ["working"])
    #expect(detail.lines.first?.fields == #"{"step":1}"#)
    #expect(try store.task(named: "report").successCount == 1)
  }

  @Test("a failed run is recorded with its error and traceback, and counted as a failure")
  func recordsFailure() throws {
    let (store, task) = try storeWithTask(body: "local x = nil\nreturn x.field")
    let finished = try TaskRunner(host: RunHost(store: store, dataPath: nil)).run(TaskRunner.luaTask(for: task), recordAs: task)
    let record = try #require(finished.record)
    #expect(record.status == .failed)
    #expect(record.error?.contains("report.lua:2:") == true)
    #expect(record.traceback?.contains("report.lua:2") == true)
    #expect(try store.task(named: "report").consecutiveFailures == 1)
  }

  @Test("kv keeps a task's state between runs; nil deletes")
  func kvPersists() throws {
    let body = "local n = (kv.get('count') or 0) + 1 kv.set('count', n) kv.set('last', {at = n}) return n"
    let (store, task) = try storeWithTask(body: body)
    let runner = TaskRunner(host: RunHost(store: store, dataPath: nil))
    #expect(try runner.run(TaskRunner.luaTask(for: task), recordAs: task).outcome.result == "1")
    #expect(try runner.run(TaskRunner.luaTask(for: task), recordAs: task).outcome.result == "2")
    #expect(try store.state(of: "report", key: "last") == #"{"at":2}"#)
    var cleared = TaskRunner.luaTask(for: task)
    cleared.source = "kv.set('count', nil) kv.delete('last') return kv.get('count') == nil"
    #expect(try runner.run(cleared, recordAs: task).outcome.result == "true")
    #expect(try store.state(of: "report", key: "last") == nil)
  }

  @Test("kv past the task's 1 MiB fails the call and keeps the old state")
  func kvCap() throws {
    let (store, task) = try storeWithTask(body: "kv.set('a', 1) kv.set('big', string.rep('x', 1100000))")
    let outcome = try TaskRunner(host: RunHost(store: store, dataPath: nil)).run(TaskRunner.luaTask(for: task), recordAs: task).outcome
    #expect(outcome.status == .failed)
    #expect(outcome.error?.contains("over the 1048576-byte limit") == true)
    #expect(try store.state(of: "report", key: "a") == "1")
    #expect(try store.state(of: "report", key: "big") == nil)
  }

  @Test("kv without a stored task says so")
  func kvNeedsTask() throws {
    let outcome = try runScript("return kv.get('x')").outcome
    #expect(outcome.error?.contains("no stored task") == true)
  }

  @Test("task.config is the task's JSON config as a table")
  func config() throws {
    let (store, task) = try storeWithTask(body: "return task.name .. ':' .. task.config.url .. ':' .. #task.config.list", config: #"{"url":"https://x","list":[1,2]}"#)
    let outcome = try TaskRunner(host: RunHost(store: store, dataPath: nil)).run(TaskRunner.luaTask(for: task), recordAs: task).outcome
    #expect(outcome.result == #""report:https://x:2""#)
  }

  @Test("env.get reads granted names only, and names the grant for the rest")
  func environment() throws {
    let environment = ["API_TOKEN": "s3cret", "HOME": "/root"]
    let granted = try runScript("return {env.get('API_TOKEN'), env.get('UNSET_ONE') == nil}", grants: ["env:API_TOKEN", "env:UNSET_ONE"], environment: environment)
    #expect(granted.outcome.result == #"["s3cret",true]"#)
    let denied = try runScript("return env.get('HOME')", grants: ["env:API_TOKEN"], environment: environment)
    #expect(denied.outcome.error == "not allowed: env HOME (grant with --allow env:HOME)")
  }

  @Test("sleep waits, and a sleep past the deadline ends the run as a timeout")
  func sleeping() throws {
    let started = Date()
    #expect(try runScript("sleep(0.05) return 1").outcome.result == "1")
    let outcome = try runScript("sleep(30)", limits: LuaLimits(wallTime: 0.3)).outcome
    #expect(outcome.status == .timeout)
    #expect(Date().timeIntervalSince(started) < 3)
    #expect(try runScript("local ok = pcall(sleep, 30) while true do end", limits: LuaLimits(wallTime: 0.3)).outcome.status == .timeout)
  }

  @Test("time.format writes RFC 3339 in UTC or a named zone")
  func timeFormat() throws {
    let outcome = try runScript("return {time.format(0), time.format(1772953200, 'America/New_York'), time.format(1.5)}").outcome
    #expect(outcome.result == #"["1970-01-01T00:00:00Z","2026-03-08T03:00:00-04:00","1970-01-01T00:00:01.500Z"]"#, "\(outcome.error ?? "")")
    #expect(try runScript("return time.format(0, 'Mars/Base')").outcome.error == "time.format: unknown time zone 'Mars/Base'")
  }
}

/// `require`: modules from the tasks folder, once per run, never from outside it.
struct RequireTests {
  let scratch = Scratch()

  func run(_ source: String) throws -> LuaRunOutcome {
    try runScript(source, modulesRoot: scratch.file("tasks")).outcome
  }

  init() {
    scratch.write("tasks/lib/util.lua", "loads = (loads or 0) + 1\nreturn { double = function(x) return x * 2 end }")
    scratch.write("tasks/broken.lua", "return {")
    scratch.write("tasks/loop_a.lua", "return require('loop_b')")
    scratch.write("tasks/loop_b.lua", "return require('loop_a')")
    scratch.write("secret.lua", "return 'outside'")
    try? FileManager.default.createSymbolicLink(atPath: scratch.file("tasks/escape.lua"), withDestinationPath: scratch.file("secret.lua"))
    try? FileManager.default.createDirectory(atPath: scratch.file("tasks/dir.lua"), withIntermediateDirectories: true)
  }

  @Test("a dotted name loads lib/util.lua once per run")
  func loadsOnce() throws {
    let outcome = try run("local a = require('lib.util') local b = require('lib.util') return {a.double(21), a == b, loads}")
    #expect(outcome.result == "[42,true,1]", "\(outcome.error ?? "")")
  }

  @Test("names that would leave the folder, or are not files, are refused", arguments: [
    ("require('../secret')", "is not a module name"),
    ("require('/etc/passwd')", "is not a module name"),
    ("require('escape')", "resolves outside"),
    ("require('dir')", "not a regular file"),
    ("require('missing')", "not found"),
    ("require('broken')", "broken.lua:1:"),
    ("require('loop_a')", "a cycle"),
  ])
  func refused(source: String, message: String) throws {
    let outcome = try run(source)
    #expect(outcome.status == .failed)
    #expect(outcome.error?.contains(message) == true, "\(outcome.error ?? "")")
  }

  @Test("without a tasks folder nothing can be required")
  func noFolder() throws {
    #expect(try runScript("require('lib.util')").outcome.error?.contains("no tasks folder") == true)
  }
}
