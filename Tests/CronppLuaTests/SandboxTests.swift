import CronppLua
import Foundation
import Testing

/// Attacks on the sandbox: each must end with the right status and error, and leave the
/// host process able to run the next script cleanly.
struct SandboxTests {
  func run(_ source: String, limits: LuaLimits = LuaLimits(wallTime: 5)) -> LuaRunOutcome {
    LuaRuntime.run(source, chunkName: "attack.lua", limits: limits)
  }

  @Test("host access does not exist in the sandbox", arguments: [
    "return io.open('/etc/passwd')",
    "return os.execute('true')",
    "return os.remove('/tmp/x')",
    "return os.exit(1)",
    "return os.getenv('HOME')",
    "return dofile('/etc/passwd')",
    "return loadfile('/etc/passwd')",
    "return package.loadlib('libc.so.6', 'system')",
    "return debug.getregistry()",
    "return string.dump(print)",
    "return collectgarbage('stop')",
  ])
  func hostAccess(source: String) {
    let outcome = run(source)
    #expect(outcome.status == .failed)
    #expect(outcome.error?.contains("nil") == true, "\(outcome.error ?? "")")
  }

  @Test("load accepts text chunks only, never bytecode or reader functions")
  func bytecode() {
    #expect(run(#"return load("\27Lua\84\0")"#).result == nil)
    let reader = run("return load(function() return nil end)")
    #expect(reader.status == .failed)
    #expect(reader.error?.contains("only text chunks") == true)
    #expect(run("return load('return 1 + 1')()").result == "2")
  }

  @Test("an endless loop ends on the instruction budget")
  func instructionBudget() {
    let outcome = run("while true do end", limits: LuaLimits(wallTime: 10, instructions: 5_000_000))
    #expect(outcome.status == .failed)
    #expect(outcome.error == "instruction budget exceeded")
  }

  @Test("an endless loop ends on the wall clock as a timeout")
  func wallClock() {
    let outcome = run("while true do end", limits: LuaLimits(wallTime: 0.2))
    #expect(outcome.status == .timeout)
  }

  @Test("pcall, xpcall and coroutines cannot swallow a spent budget", arguments: [
    "while true do pcall(function() while true do end end) end",
    "for i = 1, 1e9 do xpcall(function() while true do end end, function() return 'x' end) end",
    "local co = coroutine.wrap(function() while true do end end) while true do pcall(co) end",
    "while true do local co = coroutine.create(function() while true do end end) coroutine.resume(co) end",
  ])
  func unswallowable(source: String) {
    let outcome = run(source, limits: LuaLimits(wallTime: 10, instructions: 5_000_000))
    #expect(outcome.status == .failed)
    #expect(outcome.error == "instruction budget exceeded")
  }

  @Test("memory bombs end on the memory limit", arguments: [
    "local t = {} while true do t[#t + 1] = string.rep('x', 1024) end",
    "local s = 'x' while true do s = s .. s end",
    "return string.rep('x', 1 << 30)",
    "local t = {} while true do pcall(function() t[#t + 1] = {} end) end",
  ])
  func memory(source: String) {
    let outcome = run(source, limits: LuaLimits(wallTime: 10, memoryBytes: 8 << 20))
    #expect(outcome.status == .failed)
    #expect(outcome.error == "memory limit exceeded")
  }

  @Test("deep recursion ends with an error, not a crash")
  func recursion() {
    let outcome = run("local function f() return 1 + f() end return f()", limits: LuaLimits(wallTime: 10, memoryBytes: 16 << 20))
    #expect(outcome.status == .failed)
    #expect(outcome.error?.isEmpty == false)
  }

  @Test("__gc finalizers are refused, since Lua runs them with hooks off where no budget reaches")
  func finalizers() {
    let outcome = run("setmetatable({}, {__gc = function() while true do end end}) return 1")
    #expect(outcome.status == .failed)
    #expect(outcome.error == "attack.lua:1: setmetatable: __gc finalizers are not allowed in the sandbox")
    #expect(run("local mt = {} setmetatable({}, mt) mt.__gc = function() while true do end end collectgarbage = nil return 1").status == .success)
  }

  @Test("globals and the string metatable do not leak into the next run")
  func isolation() {
    _ = run("getmetatable('').__index.upper = function() return 'pwned' end leaked = true")
    #expect(run("return ('a'):upper()").result == #""A""#)
    #expect(run("return leaked").result == nil)
  }
}
