import CronppEngine
import CronppLua
import Foundation
import Testing

@Suite("exec bridge")
struct ExecBridgeTests {
  let granted = ["exec"]

  @Test("exec returns the exit code and both output streams; a nonzero exit is a result")
  func output() async {
    let outcome = await runWithBridges(
      #"local r = exec({ "sh", "-c", "echo out; echo err >&2; exit 3" }) return { code = r.code, out = r.stdout, err = r.stderr }"#,
      grants: granted)
    #expect(outcome.status == .success, "\(outcome.error ?? "")")
    let result = resultObject(outcome)
    #expect(result["code"] as? Int == 3)
    #expect(result["out"] as? String == "out\n")
    #expect(result["err"] as? String == "err\n")
  }

  @Test("a child ended by a signal reports 128 plus the signal number")
  func signal() async {
    let outcome = await runWithBridges(#"return exec({ "sh", "-c", "kill -9 $$" }).code"#, grants: granted)
    #expect(outcome.result == "137", "\(outcome.error ?? "")")
  }

  @Test("the child sees a minimal environment plus env, and runs in cwd")
  func environmentAndDirectory() async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("exec-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let host = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": "/home/task", "SECRET": "hidden"]
    let outcome = await runWithBridges(
      #"""
      local r = exec({ "sh", "-c", 'echo "$GREETING|$HOME|${SECRET-unset}"; pwd -P' }, { env = { GREETING = "hi" }, cwd = "\#(directory.path)" })
      return r.stdout
      """#, grants: granted, exec: SubprocessRunner(hostEnvironment: host))
    let real = directory.resolvingSymlinksInPath().path
    #expect(outcome.result == "\"hi|/home/task|unset\\n\(real)\\n\"", "\(outcome.error ?? "")")
  }

  @Test("at the timeout the whole process group is killed, grandchildren too, and the call fails soon after")
  func timeoutKillsGroup() async throws {
    let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("exec-\(UUID().uuidString).pid").path
    defer { try? FileManager.default.removeItem(atPath: pidFile) }
    let (outcome, elapsed) = await timedRunWithBridges(
      #"""
      local ok, err = pcall(exec, { "sh", "-c", "sleep 30 & echo $! > \#(pidFile); sleep 30" }, { timeout = 1 })
      return { ok = ok, err = err }
      """#, grants: granted)
    #expect(outcome.status == .success, "\(outcome.error ?? "")")
    let result = resultObject(outcome)
    #expect(result["ok"] as? Bool == false)
    #expect(result["err"] as? String == "exec: sh timed out after 1s; its process group was killed")
    // A 1 s limit, 0.25 s between SIGTERM and SIGKILL, then at most 0.25 s for the reaper.
    #expect(elapsed < 2)
    let grandchild = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
    #expect(await isGone(grandchild))
  }

  @Test("exec finishes while Swift's cooperative pool is taken up by work that blocks")
  func busyCooperativePool() async {
    // More blocked jobs than the pool has threads: swift-subprocess starts tasks of its own
    // on the shared pool, which must still get a thread.
    let gate = DispatchSemaphore(value: 0)
    let blockers = ProcessInfo.processInfo.activeProcessorCount * 4
    for _ in 0..<blockers { Task.detached { _ = gate.wait(timeout: .now() + 20) } }
    let (outcome, seconds) = await LuaThread.run {
      let task = LuaTask(name: "busy-pool", source: #"return exec({ "sh", "-c", "echo ok" }).stdout"#, chunkName: "busy-pool.lua", grants: ["exec"], limits: LuaLimits(wallTime: 5))
      let started = Date()
      let outcome = LuaRuntime.run(task, services: LuaServices(exec: SubprocessRunner()))
      let seconds = Date().timeIntervalSince(started)
      // Released from here: this test's own task needs a thread of the pool to go on.
      for _ in 0..<blockers { gate.signal() }
      return (outcome, seconds)
    }
    #expect(outcome.result == "\"ok\\n\"", "\(outcome.status) \(outcome.error ?? "")")
    #expect(seconds < 3)
  }

  @Test("a program that outlives the run's deadline ends the run as a timeout")
  func runTimeout() async {
    let (outcome, seconds) = await timedRunWithBridges(#"exec({ "sleep", "5" })"#, grants: granted, wallTime: 1)
    #expect(outcome.status == .timeout)
    #expect(seconds < 2)
  }

  @Test("without the exec grant there is no exec global")
  func absentWithoutGrant() async {
    let without = await runWithBridges("return type(exec)", grants: [])
    #expect(without.result == "\"nil\"")
    let with = await runWithBridges("return type(exec)", grants: granted)
    #expect(with.result == "\"function\"")
  }

  @Test("each output stream keeps its first 1 MiB and drops the rest")
  func outputCap() async {
    let outcome = await runWithBridges(
      #"local r = exec({ "sh", "-c", "head -c 3000000 /dev/zero; head -c 1500000 /dev/zero >&2" }) return { code = r.code, out = #r.stdout, err = #r.stderr }"#,
      grants: granted)
    #expect(outcome.status == .success, "\(outcome.error ?? "")")
    let result = resultObject(outcome)
    #expect(result["code"] as? Int == 0)
    #expect(result["out"] as? Int == 1 << 20)
    #expect(result["err"] as? Int == 1 << 20)
  }

  @Test("a program not on PATH, a missing directory and a bad argv are errors")
  func badCalls() async {
    let missing = await runWithBridges(#"exec({ "cronpp-no-such-program" })"#, grants: granted)
    #expect(missing.error == "exec: cronpp-no-such-program: not found on PATH")
    let directory = await runWithBridges(#"exec({ "true" }, { cwd = "/cronpp-no-such-dir" })"#, grants: granted)
    #expect(directory.error?.hasPrefix("exec: cannot change to the directory /cronpp-no-such-dir") == true, "\(directory.error ?? "")")
    let empty = await runWithBridges("exec({})", grants: granted)
    #expect(empty.error?.contains("exec: expects an array of strings") == true, "\(empty.error ?? "")")
  }

  /// Whether `pid` has exited (gone, or a zombie waiting for its reaper), within 2 seconds.
  private func isGone(_ pid: Int32) async -> Bool {
    for _ in 0..<40 {
      let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
      guard let stat else { return true }
      if let state = stat.split(separator: ")").last?.split(separator: " ").first, state == "Z" { return true }
      try? await Task.sleep(for: .milliseconds(50))
    }
    return false
  }
}
