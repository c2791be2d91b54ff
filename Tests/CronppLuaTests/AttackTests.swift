@testable import CronppLua
import Foundation
import Testing

/// The sandbox attack suite (DESIGN.md section 5). Every attack must be contained: the run
/// ends with the expected status and error, promptly; nothing in the folder it aims at
/// changes; no finalizer or handler it plants gets to log; and the next run in the same
/// process is clean.
///
/// Serialized: the attacks are CPU bombs by design, and run in parallel they would hold
/// every core for seconds, starving the timing-sensitive suites that run beside them.
@Suite(.serialized)
struct AttackTests {
  /// How an attack must end. Each budget case comes with limits under which that budget,
  /// and no other, is the one that trips, so the expected error does not depend on how
  /// fast the machine is.
  enum Ending: Sendable {
    case error(String)
    case instructions, memory, timeout
    case success(String?)

    var limits: LuaLimits {
      switch self {
      case .instructions: LuaLimits(wallTime: 60, memoryBytes: 16 << 20, instructions: 5_000_000)
      case .memory: LuaLimits(wallTime: 60, memoryBytes: 8 << 20, instructions: 2_000_000_000)
      case .timeout: LuaLimits(wallTime: 0.5, memoryBytes: 16 << 20, instructions: .max / 2)
      case .error, .success: LuaLimits(wallTime: 20, instructions: 20_000_000)
      }
    }
  }

  struct Attack: Sendable, CustomTestStringConvertible {
    let name: String
    /// `$DIR` stands for a fresh folder holding `victim.txt`, for attacks that aim at files.
    let source: String
    let ending: Ending
    /// A script for the next run and its result, proving the attack left nothing behind.
    var next: (source: String, result: String) = ("return 1 + 1", "2")

    var testDescription: String { name }
  }

  static let attacks: [Attack] = hostAccess + loading + budgets + patterns + swallowing + handlers + contamination + libraries

  static let hostAccess: [Attack] = [
    Attack(name: "io.open writes a file", source: "io.open('$DIR/pwned', 'w'):write('x')", ending: .error("global 'io'")),
    Attack(name: "io.popen runs a command", source: "io.popen('touch $DIR/pwned')", ending: .error("global 'io'")),
    Attack(name: "os.execute runs a command", source: "os.execute('touch $DIR/pwned')", ending: .error("field 'execute'")),
    Attack(name: "os.remove deletes a file", source: "os.remove('$DIR/victim.txt')", ending: .error("field 'remove'")),
    Attack(name: "os.rename moves a file", source: "os.rename('$DIR/victim.txt', '$DIR/moved')", ending: .error("field 'rename'")),
    Attack(name: "os.tmpname creates a file", source: "return os.tmpname()", ending: .error("field 'tmpname'")),
    Attack(name: "os.getenv reads the host's environment", source: "return os.getenv('HOME')", ending: .error("field 'getenv'")),
    Attack(name: "os.exit kills the host", source: "os.exit(1)", ending: .error("field 'exit'")),
    Attack(name: "dofile runs a host file", source: "dofile('/etc/passwd')", ending: .error("global 'dofile'")),
    Attack(name: "loadfile reads a host file", source: "loadfile('/etc/passwd')", ending: .error("global 'loadfile'")),
    Attack(name: "package.loadlib loads native code", source: "package.loadlib('libc.so.6', 'system')", ending: .error("global 'package'")),
    Attack(name: "require reaches a C library or a host path", source: "require('io')", ending: .error("module 'io' not found")),
    Attack(name: "require climbs out of the tasks folder", source: "require('../../../etc/passwd')", ending: .error("not found")),
    Attack(name: "debug.getregistry reaches the registry", source: "return debug.getregistry()", ending: .error("global 'debug'")),
    Attack(name: "debug.sethook removes the budget hook", source: "debug.sethook() while true do end", ending: .error("global 'debug'")),
    Attack(name: "collectgarbage stops the collector", source: "collectgarbage('stop')", ending: .error("global 'collectgarbage'")),
    Attack(name: "the hidden bridge table is reachable", source: "return __cronpp.emit('info', 'x')", ending: .error("global '__cronpp'")),
    Attack(name: "rawget finds removed functions", source: "return rawget(_G, 'io') or rawget(os, 'execute') or rawget(string, 'dump') or rawget(_G, 'debug') or error('none left')", ending: .error("none left")),
  ]

  static let loading: [Attack] = [
    Attack(name: "string.dump makes bytecode", source: "return string.dump(print)", ending: .error("field 'dump'")),
    Attack(name: "string.dump through the string metatable", source: "return (''):dump()", ending: .error("method 'dump'")),
    Attack(name: "load runs a binary chunk", source: #"local f, e = load("\27Lua\84\0\25\147\r\n\26\n") error(e)"#, ending: .error("attempt to load a binary chunk")),
    Attack(name: "load with mode 'b' runs a binary chunk", source: #"local f, e = load("\27LuaT", "=x", "b") error(e)"#, ending: .error("attempt to load a binary chunk")),
    Attack(name: "load with mode 'b' gets text mode all the same", source: "return load('return 1 + 1', '=x', 'b')()", ending: .success("2")),
    Attack(name: "load with a reader function smuggles bytecode", source: #"local s = "\27Lua" load(function() local c = s s = nil return c end)"#, ending: .error("only text chunks")),
    Attack(name: "load with an env table escapes the sandbox", source: "load(\"os.execute('touch ' .. p)\", '=x', 't', {os = os, p = '$DIR/pwned'})()", ending: .error("field 'execute'")),
    Attack(name: "a local _ENV finds the host's io", source: "local _ENV = setmetatable({}, {__index = _G}) io.open('$DIR/pwned', 'w')", ending: .error("global 'io'")),
    Attack(name: "an __index on _G conjures io", source: "setmetatable(_G, {__index = function(_, k) return require(k) end}) return io.open('$DIR/pwned', 'w')", ending: .error("module 'io' not found")),
  ]

  static let budgets: [Attack] = [
    Attack(name: "while true", source: "while true do end", ending: .instructions),
    Attack(name: "goto loop", source: "::top:: goto top", ending: .instructions),
    Attack(name: "repeat until false", source: "local n = 0 repeat n = n + 1 until false", ending: .instructions),
    Attack(name: "string building loop", source: "local s = '' while true do s = s .. 'x' if #s > 1000 then s = '' end end", ending: .instructions),
    Attack(name: "a loop past the wall clock", source: "while true do end", ending: .timeout),
    Attack(name: "sleep past the wall clock", source: "sleep(60)", ending: .timeout),
    Attack(name: "string.rep of a gigabyte", source: "return #string.rep('x', 1 << 30)", ending: .memory),
    Attack(name: "table growth", source: "local t = {} for i = 1, math.huge do t[i] = i end", ending: .memory),
    Attack(name: "string doubling", source: "local s = 'x' while true do s = s .. s end", ending: .memory),
    Attack(name: "table.concat of one string many times", source: "local s, t = ('x'):rep(1 << 16), {} for i = 1, 4096 do t[i] = s end return #table.concat(t)", ending: .memory),
    Attack(name: "coroutine creation storm", source: "local t = {} while true do t[#t + 1] = coroutine.create(function() end) end", ending: .memory),
    Attack(name: "pcall swallowing memory errors", source: "local t = {} while true do pcall(function() t[#t + 1] = {} end) end", ending: .memory),
    Attack(name: "Lua recursion", source: "local function f() return 1 + f() end return f()", ending: .memory),
    Attack(name: "__index function recursion", source: "local t = setmetatable({}, {__index = function(t, k) return t[k] end}) return t.x", ending: .error("stack overflow")),
    Attack(name: "__index table chain loop", source: "local a, b = {}, {} setmetatable(a, {__index = b}) setmetatable(b, {__index = a}) return a.x", ending: .error("'__index' chain too long")),
    Attack(name: "__tostring recursion through C", source: "local t = setmetatable({}, {__tostring = function(self) return tostring(self) end}) return tostring(t)", ending: .error("stack overflow")),
    Attack(name: "coroutine.wrap nesting", source: "local function nest() return coroutine.wrap(nest)() end return nest()", ending: .error("stack overflow")),
    Attack(name: "gsub callback recursion", source: "local function f() return (('x'):gsub('x', f)) end return f()", ending: .error("stack overflow")),
  ]

  static let patterns: [Attack] = [
    Attack(name: "string.find with a backtracking pattern", source: "return string.rep('a', 50000):find(string.rep('a-', 100) .. 'b')", ending: .instructions),
    Attack(name: "string.find with an anchored backtracking pattern", source: "return string.rep('a', 50000):find('^' .. string.rep('a-', 100) .. 'b')", ending: .instructions),
    Attack(name: "string.match with '.-' repeated", source: "return string.rep('a', 50000):match(string.rep('.-', 100) .. 'b')", ending: .instructions),
    Attack(name: "string.match with '*' repeated", source: "return string.rep('a', 1e6):match(string.rep('a*', 30) .. 'b')", ending: .instructions),
    Attack(name: "string.gmatch with a backtracking pattern", source: "for w in string.rep('a', 1e5):gmatch(string.rep('a-', 50) .. 'b') do end", ending: .instructions),
    Attack(name: "string.gsub with a backtracking pattern", source: "return (string.rep('a', 1e5):gsub(string.rep('a?', 60) .. 'b', 'x'))", ending: .instructions),
    Attack(name: "%b over an unbalanced string", source: "return string.rep('(', 1e5):find('%b()')", ending: .instructions),
    Attack(name: "%f with a backtracking tail", source: "return string.rep('a', 1e5):find('%f[a]' .. string.rep('a?', 100) .. 'b')", ending: .instructions),
    Attack(name: "a long bracket class at every position", source: "return ('x'):rep(1e6):find('[' .. ('a'):rep(1e5) .. ']')", ending: .instructions),
    Attack(name: "plain find with an almost-matching needle", source: "return ('a'):rep(2e6):find(('a'):rep(1e6) .. 'b', 1, true)", ending: .instructions),
    Attack(name: "gsub with a replacement of empty captures", source: "return (('a'):rep(1e5):gsub('(a-)', ('%1'):rep(1e5)))", ending: .instructions),
    Attack(name: "a pattern bomb inside a coroutine", source: "return coroutine.wrap(function() return string.rep('a', 50000):find(string.rep('a-', 100) .. 'b') end)()", ending: .instructions),
    Attack(name: "a pattern bomb past the wall clock", source: "return string.rep('a', 50000):find(string.rep('a-', 100) .. 'b')", ending: .timeout),
    Attack(name: "string.rep of nothing a maxinteger times", source: "return #string.rep('', math.maxinteger) + #string.rep('', math.maxinteger, '')", ending: .success("0")),
  ]

  static let swallowing: [Attack] = [
    Attack(name: "pcall around an endless loop", source: "while true do pcall(function() while true do end end) end", ending: .instructions),
    Attack(name: "pcall around a pattern bomb", source: "while true do pcall(string.find, string.rep('a', 50000), string.rep('a-', 100) .. 'b') end", ending: .instructions),
    Attack(name: "xpcall with a handler that returns", source: "for i = 1, 1e9 do xpcall(function() while true do end end, function() return 'x' end) end", ending: .instructions),
    Attack(name: "coroutine.wrap under pcall", source: "local co = coroutine.wrap(function() while true do end end) while true do pcall(co) end", ending: .instructions),
    Attack(name: "coroutine.resume catching the budget", source: "while true do coroutine.resume(coroutine.create(function() while true do end end)) end", ending: .instructions),
    Attack(name: "coroutine.close catching the budget", source: "local co = coroutine.create(function() while true do end end) coroutine.resume(co) coroutine.close(co) while true do end", ending: .instructions),
    Attack(
      name: "coroutine.resume swallowing the budget, then returning", source: "coroutine.resume(coroutine.create(function() while true do end end)) return 'escaped'",
      ending: .instructions),
    Attack(
      name: "coroutine.resume swallowing the wall clock, then returning", source: "coroutine.resume(coroutine.create(function() while true do end end)) return 'escaped'",
      ending: .timeout),
    Attack(name: "pcall swallowing a timeout", source: "while true do pcall(function() while true do end end) end", ending: .timeout),
  ]

  static let handlers: [Attack] = [
    Attack(name: "an error object whose __tostring loops", source: "error(setmetatable({}, {__tostring = function() while true do end end}))", ending: .instructions),
    Attack(name: "an error object whose __tostring errors", source: "error(setmetatable({}, {__tostring = function() error('again') end}))", ending: .error("again")),
    Attack(name: "an error object whose __tostring returns a table", source: "error(setmetatable({}, {__tostring = function() return {} end}))", ending: .error("(error object is a table value)")),
    Attack(name: "an error object whose __index loops", source: "error(setmetatable({}, {__index = function() while true do end end}))", ending: .error("(error object is a table value)")),
    Attack(name: "an error object that is a function", source: "error(print)", ending: .error("(error object is a function value)")),
    Attack(name: "a __close handler that loops", source: "do local x <close> = setmetatable({}, {__close = function() while true do end end}) end", ending: .instructions),
    Attack(name: "a __close handler that errors", source: "do local x <close> = setmetatable({}, {__close = function() error('close boom') end}) end", ending: .error("close boom")),
    Attack(name: "a __close handler that loops after the budget is spent", source: "local x <close> = setmetatable({}, {__close = function() while true do end end}) while true do end", ending: .instructions),
    Attack(name: "a __close handler left pending in a suspended coroutine", source: "local co = coroutine.wrap(function() local x <close> = setmetatable({}, {__close = function() print('PWNED') while true do end end}) coroutine.yield() end) co() return 1", ending: .success("1")),
    Attack(name: "setmetatable with __gc", source: "setmetatable({}, {__gc = function() print('PWNED') end})", ending: .error("__gc finalizers are not allowed")),
    Attack(name: "__gc rawset into a metatable, then set again", source: "local mt = {} local t = setmetatable({}, mt) rawset(mt, '__gc', function() print('PWNED') end) setmetatable(t, mt)", ending: .error("__gc finalizers are not allowed")),
    Attack(name: "__gc added to a metatable already set", source: "local mt = {} local t = setmetatable({}, mt) mt.__gc = function() print('PWNED') end keep = t return 1", ending: .success("1")),
    Attack(name: "__gc hidden behind the metatable's own __index", source: "keep = setmetatable({}, setmetatable({}, {__index = {__gc = function() print('PWNED') end}})) return 1", ending: .success("1")),
  ]

  static let contamination: [Attack] = [
    Attack(name: "the string metatable is patched for the next run", source: "getmetatable('').__index.upper = function() return 'pwned' end", ending: .success(nil), next: ("return ('a'):upper()", #""A""#)),
    Attack(name: "the string metatable's __index is replaced", source: "getmetatable('').__index = {len = function() return -1 end}", ending: .success(nil), next: ("return ('abc'):len()", "3")),
    Attack(name: "globals are left for the next run", source: "leaked = true string.leaked = true _G.print = nil", ending: .success(nil), next: ("print('x') return leaked == nil and string.leaked == nil", "true")),
    Attack(name: "library functions are replaced for the next run", source: "table.insert = function() end math.pi = 3 json.encode = nil", ending: .success(nil), next: ("local t = {} table.insert(t, 1) return #t + math.floor(math.pi) + #json.encode({})", "6")),
  ]

  static let libraries: [Attack] = [
    Attack(name: "os.date with an invalid conversion", source: "return os.date('%Ez%')", ending: .error("invalid conversion specifier")),
    Attack(name: "os.date with a huge format", source: "return #os.date(('%c'):rep(1e5))", ending: .success(nil)),
    Attack(name: "os.date of a time past any calendar", source: "return os.date('*t', 1 << 62)", ending: .error("cannot be represented")),
    Attack(name: "os.time with an absurd year", source: "return os.time({year = 1 << 40, month = 1, day = 1})", ending: .error("field 'year' is out-of-bound")),
    Attack(name: "string.format with an absurd width", source: "return string.format('%' .. ('9'):rep(100) .. 'd', 1)", ending: .error("invalid")),
    Attack(name: "string.format with the widest allowed item", source: "return #string.format('%99.99f', -1e308)", ending: .success("410")),
    Attack(name: "table.unpack of a huge range", source: "return table.unpack({}, 1, 1e8)", ending: .error("too many results to unpack")),
    Attack(name: "select with a huge negative count", source: "return select(math.mininteger, 1)", ending: .error("index out of range")),
    Attack(name: "string.byte of a whole megabyte", source: "return select('#', string.byte(('x'):rep(1 << 20), 1, -1))", ending: .error("string slice too long")),
    Attack(name: "utf8.codepoint of a whole megabyte", source: "return select('#', utf8.codepoint(('x'):rep(1 << 20), 1, -1))", ending: .error("string slice too long")),
    Attack(name: "string.rep with a separator past memory", source: "return #string.rep('x', 1e9, 'y')", ending: .memory),
    Attack(name: "json.encode of a cycle", source: "local t = {} t.self = t return json.encode(t)", ending: .error("nested deeper than 100 levels")),
    Attack(name: "json.encode of deep nesting", source: "local t = {} for i = 1, 1000 do t = {t} end return json.encode(t)", ending: .error("nested deeper than 100 levels")),
    Attack(name: "json.decode of 100000 nested arrays", source: "return json.decode(string.rep('[', 100000) .. string.rep(']', 100000))", ending: .error("json.decode:")),
    Attack(name: "json.decode of 200 nested objects", source: #"return json.decode(string.rep('{"a":', 200) .. '1' .. string.rep('}', 200))"#, ending: .error("json.decode: nested deeper than 100 levels")),
    Attack(name: "json.decode of an out-of-range number", source: "return json.decode('[1e400]')", ending: .error("json.decode:")),
  ]

  @Test("every attack is contained: right status and error, nothing on disk, a clean next run", arguments: attacks)
  func contained(_ attack: Attack) throws {
    let folder = try Folder()
    defer { folder.remove() }
    let before = try folder.snapshot()
    let source = attack.source.replacingOccurrences(of: "$DIR", with: folder.url.path)
    let clock = ContinuousClock()
    var outcome: LuaRunOutcome?
    let elapsed = clock.measure { outcome = LuaRuntime.run(source, chunkName: "attack.lua", limits: attack.ending.limits) }
    let ran = try #require(outcome)

    expect(ran, ending: attack.ending)
    #expect(elapsed < .seconds(20), "the attack held the run for \(elapsed)")
    #expect(!ran.lines.contains { $0.message.contains("PWNED") }, "a planted handler ran")
    #expect(try folder.snapshot() == before, "the attack changed files in \(folder.url.path)")

    let next = LuaRuntime.run(attack.next.source, chunkName: "next.lua", limits: LuaLimits(wallTime: 5))
    #expect(next.status == .success, "\(next.error ?? "")")
    #expect(next.result == attack.next.result)
  }

  func expect(_ ran: LuaRunOutcome, ending: Ending) {
    switch ending {
    case .error(let text):
      #expect(ran.status == .failed)
      #expect(ran.error?.contains(text) == true, "\(ran.error ?? "no error")")
    case .instructions:
      #expect(ran.status == .failed)
      #expect(ran.error == "instruction budget exceeded")
    case .memory:
      #expect(ran.status == .failed)
      #expect(ran.error == "memory limit exceeded")
    case .timeout:
      #expect(ran.status == .timeout)
      #expect(ran.error?.hasPrefix("timeout") == true, "\(ran.error ?? "no error")")
    case .success(let result):
      #expect(ran.status == .success, "\(ran.error ?? "")")
      if let result { #expect(ran.result == result) }
    }
  }

  /// Lua calls a message handler before it unwinds, so for an error raised by the budget
  /// hook the handler would run inside the hook, where Lua has switched hooks off: a
  /// handler that loops would be out of every budget. `cronpp_xpcall` does not call a
  /// script's handler once the budget is spent.
  @Test("xpcall with a message handler that loops cannot outlive a spent budget", arguments: [Ending.instructions, .timeout])
  func loopingMessageHandler(ending: Ending) {
    let outcome = LuaRuntime.run(
      "xpcall(function() while true do end end, function() while true do end end) return 'survived'", chunkName: "attack.lua",
      limits: ending.limits)
    expect(outcome, ending: ending)
  }

  /// One comparison of two 4 MiB strings takes milliseconds, and the budget hook runs every
  /// 1,000 instructions: without the watchdog, which makes the hook fire on every
  /// instruction at the deadline, this overshot a 0.5 s deadline by seconds.
  @Test("comparing huge strings in a loop ends close to the deadline")
  func slowInstructions() {
    let clock = ContinuousClock()
    var outcome: LuaRunOutcome?
    let elapsed = clock.measure {
      outcome = LuaRuntime.run(
        "local s = ('\\0'):rep(1 << 22) local a, b = s .. 'a', s .. 'b' while true do local _ = a < b end", chunkName: "attack.lua",
        limits: LuaLimits(wallTime: 0.5))
    }
    #expect(outcome?.status == .timeout)
    #expect(elapsed < .seconds(2), "the run overshot its 0.5 s deadline: \(elapsed)")
  }

  /// Every run's deadline sits in one heap watched by one thread: runs going at once each
  /// end at their own deadline, out of the order they started in, and the thousand quick
  /// runs armed and disarmed meanwhile bite no one.
  @Test("runs at once end at their own deadlines, however many quick runs came and went")
  func deadlinesOfRunsAtOnce() async {
    let slow = "local s = ('\\0'):rep(1 << 22) local a, b = s .. 'a', s .. 'b' while true do local _ = a < b end"
    func onThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
      await withCheckedContinuation { done in Thread { done.resume(returning: work()) }.start() }
    }
    func timed(_ wallTime: Double) async -> (LuaRunOutcome, Double) {
      await onThread {
        let started = Date()
        let outcome = LuaRuntime.run(slow, chunkName: "slow.lua", limits: LuaLimits(wallTime: wallTime))
        return (outcome, Date().timeIntervalSince(started))
      }
    }
    async let late = timed(1.5)
    async let early = timed(0.5)
    let quick = await onThread {
      (0..<1000).map { _ in LuaRuntime.run("return 1", chunkName: "quick.lua", limits: LuaLimits(wallTime: 0.05)).status }
    }
    let (lateOutcome, lateSeconds) = await late
    let (earlyOutcome, earlySeconds) = await early
    #expect(quick.allSatisfy { $0 == .success })
    #expect(earlyOutcome.status == .timeout && lateOutcome.status == .timeout)
    #expect(earlySeconds >= 0.5 && earlySeconds < 1.3, "\(earlySeconds)")
    #expect(lateSeconds >= 1.5 && lateSeconds < 2.3, "\(lateSeconds)")
  }

  /// Lua's table library loops in C, where the count hook never fires, and these loops
  /// neither allocate nor call Lua, so liblua's ltablib.c would run them for hours or
  /// centuries past every budget. CLuaStrings' ltablib.c charges every element and
  /// comparison to the hook, so each ends under the instruction budget and, with that
  /// budget out of reach, under the wall clock. The sort sorts 1000 references to one
  /// 16 MiB string, which needs more memory than `Ending`'s limits allow.
  static let tableLoopAttacks: [String] = [
    "table.move({}, 1, 1 << 62, 1)",
    "table.move({}, 1, 1 << 62, 2)",
    "table.insert(setmetatable({}, {__len = function() return 1 << 62 end}), 1, 0)",
    "table.remove(setmetatable({}, {__len = function() return 1 << 62 end}), 1)",
    "local s, t = ('a'):rep(1 << 12):rep(1 << 12), {} for i = 1, 1000 do t[i] = s end table.sort(t)",
    "return #table.concat(setmetatable({}, {__index = table.concat}), '', 1, 1 << 40)",
    "return #table.concat(setmetatable({}, {__index = function() return '' end, __len = function() return 1 << 40 end}))",
    "local t = setmetatable({}, {__index = table.unpack}) while true do table.unpack(t, 1, 1e5) end",
    "local t = setmetatable({}, {__index = table.unpack}) while true do table.pack(table.unpack(t, 1, 1e5)) end",
    "local t = {} for i = 1, 999 do t[i] = i end while true do table.insert(t, 1, 0) table.remove(t, 1) end",
  ]

  @Test(
    "the table library's C loops cannot outlive the budget",
    arguments: tableLoopAttacks, [Ending.instructions, .timeout])
  func tableLoops(source: String, ending: Ending) {
    let limits =
      switch ending {
      case .timeout: LuaLimits(wallTime: 0.5, memoryBytes: 64 << 20, instructions: .max / 2)
      default: LuaLimits(wallTime: 60, memoryBytes: 64 << 20, instructions: 2_000_000)
      }
    let clock = ContinuousClock()
    var outcome: LuaRunOutcome?
    let elapsed = clock.measure { outcome = LuaRuntime.run(source, chunkName: "attack.lua", limits: limits) }
    guard let outcome else { return }
    expect(outcome, ending: ending)
    #expect(elapsed < .seconds(5), "the attack held the run for \(elapsed)")
    let next = LuaRuntime.run("local t = {3, 1, 2} table.sort(t) return table.concat(t)", chunkName: "next.lua", limits: LuaLimits(wallTime: 5))
    #expect(next.status == .success, "\(next.error ?? "")")
    #expect(next.result == #""123""#)
  }

  @Test("the table library is charged to the instruction budget, short calls included")
  func tablesCharge() {
    let limits = LuaLimits(wallTime: 60, instructions: 1_000_000)
    let move = LuaRuntime.run("table.move({}, 1, 1e7, 1)", chunkName: "move.lua", limits: limits)
    #expect(move.status == .failed)
    #expect(move.error == "instruction budget exceeded")
    #expect(move.traceback?.contains("move.lua:1") == true)
    // About 20,000 VM instructions, but 4 million elements moved by calls of 1000 each.
    let shifts = "local t = {} for i = 1, 999 do t[i] = i end for i = 1, 2000 do table.insert(t, 1, 0) table.remove(t, 1) end return #t"
    #expect(LuaRuntime.run(shifts, chunkName: "shifts.lua", limits: limits).error == "instruction budget exceeded")
    // About 700 comparisons, but each of them compares two 1 MiB strings.
    let strings = "local s, t = ('a'):rep(1 << 10):rep(1 << 10), {} for i = 1, 100 do t[i] = s end table.sort(t) return #t"
    #expect(LuaRuntime.run(strings, chunkName: "strings.lua", limits: limits).error == "instruction budget exceeded")
    let honest = """
      local t = {} for i = 1, 1000 do t[i] = (i * 7919) % 1009 end
      table.sort(t) table.insert(t, 1, 0) table.remove(t) return #table.concat(t, ',') > 0 and #t
      """
    #expect(LuaRuntime.run(honest, chunkName: "honest.lua", limits: limits).result == "1000")
  }

  @Test("the suite holds at least 45 distinct attacks")
  func suiteSize() {
    #expect(Self.attacks.count >= 45)
    #expect(Set(Self.attacks.map(\.name)).count == Self.attacks.count)
    #expect(Set(Self.attacks.map { "\($0.source)|\($0.ending.limits.wallTime)" }).count == Self.attacks.count)
  }

  @Test("the patched matcher still finds, matches, substitutes and iterates as Lua 5.4 does")
  func matcherUnchanged() {
    let source = """
      local out = {}
      local function add(...) for i = 1, select('#', ...) do out[#out + 1] = tostring((select(i, ...))) end end
      add(('hello world'):find('o w'))
      add(('hello world'):find('l+'))
      add(('key = value'):match('^(%w+)%s*=%s*(%w+)$'))
      add(('THE (quick) fox'):find('%((%a+)%)'))
      add(('abc'):gsub('%w', '%0%0'))
      add(('hello world'):gsub('o', {o = '0'}))
      add(('abc'):gsub('', '-'))
      add(('f(a(b)c)d'):match('%b()'))
      add(('THE quick'):find('%f[%a]%a+', 2))
      add(('x = 1, y = 2'):gsub('(%w+) = (%w+)', '%2 = %1'))
      for k, v in ('a=1, b=2'):gmatch('(%w+)=(%w+)') do add(k, v) end
      add(('a.b'):find('.', 1, true))
      add(('aaa'):match('()a()'))
      add(string.rep('ab', 3, ','))
      add(pcall(string.find, 'x', '[a'))
      add(pcall(string.rep, 'x', 1 << 40))
      add(string.format('%5.1f|%-3d|%q', 3.14159, 7, 'a"b'))
      add(string.dump == nil)
      return table.concat(out, ' ')
      """
    let outcome = LuaRuntime.run(source, chunkName: "matcher.lua", limits: LuaLimits(wallTime: 5))
    #expect(outcome.status == .success, "\(outcome.error ?? "")")
    // What stock Lua 5.4.4 prints for the same script, except that string.dump is gone.
    #expect(outcome.result == #""5 7 3 4 key value 5 11 quick aabbcc 3 hell0 w0rld 2 -a-b-c- 4 (a(b)c) 5 9 1 = x, 2 = y 2 a 1 b 2 2 2 1 2 ab,ab,ab false malformed pattern (missing ']') false resulting string too large   3.1|7  |\"a\\\"b\" true""#)
  }

  @Test("pattern matching is charged to the instruction budget, not only cut by the clock")
  func patternsCharge() {
    let bomb = "return string.rep('a', 50000):find(string.rep('a-', 100) .. 'b')"
    let outcome = LuaRuntime.run(bomb, chunkName: "bomb.lua", limits: LuaLimits(wallTime: 60, instructions: 1_000_000))
    #expect(outcome.status == .failed)
    #expect(outcome.error == "instruction budget exceeded")
    #expect(outcome.traceback?.contains("bomb.lua:1") == true)
    let honest = "local n = 0 for i = 1, 2000 do if ('key' .. i .. ' = value'):match('^(%w+)%s*=%s*(%w+)$') then n = n + 1 end end return n"
    #expect(LuaRuntime.run(honest, chunkName: "honest.lua", limits: LuaLimits(wallTime: 60, instructions: 1_000_000)).result == "2000")
  }

  @Test("table.sort of the largest array 64 MiB holds ends within seconds")
  func sortIsBounded() {
    let source = """
      local t, n = {}, (1 << 21) - 1
      for i = 1, n do t[i] = (i * 7919) % 1000003 end
      table.sort(t)
      for i = 2, n do if t[i - 1] > t[i] then error('unsorted at ' .. i) end end
      return #t
      """
    let clock = ContinuousClock()
    var outcome: LuaRunOutcome?
    let elapsed = clock.measure { outcome = LuaRuntime.run(source, chunkName: "sort.lua", limits: LuaLimits(wallTime: 30)) }
    #expect(outcome?.status == .success, "\(outcome?.error ?? "")")
    #expect(outcome?.result == "2097151")
    #expect(elapsed < .seconds(20))
    let memory = LuaRuntime.run("local t = {} for i = 1, 1 << 23 do t[i] = i end table.sort(t)", chunkName: "sort.lua", limits: LuaLimits(wallTime: 30))
    #expect(memory.error == "memory limit exceeded")
  }

  @Test("an error message is capped at 1 MiB")
  func hugeErrorMessage() {
    let outcome = LuaRuntime.run("error(('x'):rep(10 << 20))", chunkName: "big.lua", limits: LuaLimits(wallTime: 10))
    #expect(outcome.status == .failed)
    #expect((outcome.error?.utf8.count ?? 0) <= 1 << 20)
    #expect(outcome.error?.hasPrefix("big.lua:1: xxx") == true)
  }

  /// A temporary folder with one file in it, for attacks that try to touch the disk.
  struct Folder {
    let url: URL

    init() throws {
      url = FileManager.default.temporaryDirectory.appendingPathComponent("cronpp-attack-\(UUID().uuidString)")
      try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
      try Data("keep me".utf8).write(to: url.appendingPathComponent("victim.txt"))
    }

    /// Every path below the folder with its size.
    func snapshot() throws -> [String: Int] {
      var files: [String: Int] = [:]
      let keys: [URLResourceKey] = [.fileSizeKey]
      guard let walk = FileManager.default.enumerator(at: url, includingPropertiesForKeys: keys) else { return files }
      for case let file as URL in walk {
        files[file.lastPathComponent] = try file.resourceValues(forKeys: Set(keys)).fileSize ?? -1
      }
      return files
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
  }
}

/// `JSONBridge.decode`, the hand-written parser behind `json.decode`: what a script can
/// hand it must neither crash the host nor take time the run's budgets cannot see.
struct JSONDecodeTests {
  static func nested(_ open: String, _ count: Int, _ inner: String = "", _ close: String = "") -> String {
    String(repeating: open, count: count) + inner + String(repeating: close, count: count)
  }

  static let tooDeep: [String] = [
    nested("[", 100_000, "", "]"), nested("[", 101, "", "]"), nested(#"{"a":"#, 100, "1", "}"), nested("[", 1_000_000),
  ]

  @Test("nesting deeper than 100 levels is refused before the parser descends", arguments: tooDeep)
  func deepNesting(text: String) {
    #expect(throws: JSONBridge.Failure.self) { try JSONBridge.decode(text) }
    do { _ = try JSONBridge.decode(text) } catch { #expect(error.message == "nested deeper than 100 levels") }
  }

  @Test("100 levels of nesting are accepted")
  func maxNesting() throws {
    let text = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
    guard case .array = try JSONBridge.decode(text) else { Issue.record("not an array"); return }
  }

  @Test("a megabyte of deeply nested chains decodes in linear time")
  func linearTime() throws {
    let chain = String(repeating: "[", count: 99) + String(repeating: "]", count: 99)
    let text = "[" + Array(repeating: chain, count: 5000).joined(separator: ",") + "]"
    let clock = ContinuousClock()
    let elapsed = try clock.measure { _ = try JSONBridge.decode(text) }
    #expect(elapsed < .seconds(5))
  }

  static let numberCases: [(String, JSONValue)] = [
    ("0", .integer(0)), ("-0", .integer(0)), ("-0.0", .number(-0.0)), ("1.0", .number(1)),
    ("1e2", .number(100)), ("9223372036854775807", .integer(.max)), ("-9223372036854775808", .integer(.min)),
    ("12345678901234567890", .number(12_345_678_901_234_567_890)), ("1e-400", .number(0)), ("2.5E+1", .number(25)),
  ]

  @Test("numbers decode as Lua's tonumber reads them", arguments: numberCases)
  func numbers(text: String, expected: JSONValue) throws {
    let value = try JSONBridge.decode(text)
    #expect(String(describing: value) == String(describing: expected))
    if case .number(let number) = value, case .number(let wanted) = expected { #expect(number.sign == wanted.sign) }
  }

  static let malformedCases: [(String, String)] = [
    ("1e400", "number 1e400 is out of range"), ("-1e400", "number -1e400 is out of range"),
    ("01", "not valid JSON at byte 2"), ("[1,]", "not valid JSON at byte 4"), ("{bad", "not valid JSON at byte 2"),
    ("", "not valid JSON at byte 1"), ("\"a\u{1}\"", "not valid JSON at byte 3"), (#""\x""#, "not valid JSON at byte 3"),
    ("tru", "not valid JSON at byte 1"), ("[1] 2", "not valid JSON at byte 5"), ("-", "not valid JSON at byte 2"),
    ("1.", "not valid JSON at byte 3"), (#""\u12""#, "not valid JSON at byte 4"), (#"{"a" 1}"#, "not valid JSON at byte 6"),
  ]

  @Test("malformed or out-of-range input fails with a message, never a crash", arguments: malformedCases)
  func malformed(text: String, message: String) {
    do {
      let value = try JSONBridge.decode(text)
      Issue.record("decoded \(value)")
    } catch {
      #expect(error.message == message)
    }
  }

  static let stringCases: [(String, String)] = [
    (#""a\"b\\c\/d\n\t""#, "a\"b\\c/d\n\t"), (#""\u00e9\u20ac""#, "é€"), (#""\ud83d\ude00""#, "😀"),
    (#""\ud800x""#, "\u{FFFD}x"), (#""\udc00""#, "\u{FFFD}"), (#""\ud800\u0041""#, "\u{FFFD}A"), (#""a\u0000b""#, "a\u{0}b"),
    (String(decoding: [0x22, 0xFF, 0x61, 0x22] as [UInt8], as: UTF8.self), "\u{FFFD}a"),
  ]

  @Test("strings keep escapes, pair surrogates, and replace lone surrogates and invalid bytes", arguments: stringCases)
  func strings(text: String, expected: String) throws {
    guard case .string(let value) = try JSONBridge.decode(text) else { Issue.record("not a string"); return }
    #expect(value == expected)
  }

  @Test("documents decode to the same values JSONDecoder gave")
  func documents() throws {
    let value = try JSONBridge.decode(#" { "a" : [1, 2.5, "x", true, false, null, {}], "b": {"c": []} } "#)
    #expect(String(describing: value).contains("integer(1)"))
    guard case .object(let members) = value, case .array(let items) = members["a"] else { Issue.record("shape"); return }
    #expect(items.count == 7)
    #expect(String(describing: items) == String(describing: [JSONValue.integer(1), .number(2.5), .string("x"), .bool(true), .bool(false), .null, .object([:])]))
  }

  @Test("json.decode that runs out of memory midway fails the run, and the host lives")
  func decodeOutOfMemory() {
    // 48 kB of text that needs about 600 kB of tables: the allocator fails inside the push.
    let source = "return json.decode('[' .. string.rep('{\"a\":1},', 6000) .. '1]')"
    let outcome = LuaRuntime.run(source, chunkName: "json.lua", limits: LuaLimits(wallTime: 20, memoryBytes: 512 << 10))
    #expect(outcome.error == "memory limit exceeded")
    #expect(LuaRuntime.run("return 1 + 1", chunkName: "next.lua").result == "2")
  }

  @Test("json.decode in a run is contained however deep or odd the input", arguments: [
    "return json.decode(string.rep('[', 100000) .. string.rep(']', 100000))",
    "return json.decode(string.rep('[', 300) .. string.rep(']', 300))",
    "return json.decode('\"\\255\\254\"')",
    "return #json.decode('[' .. string.rep('1,', 10000) .. '1]')",
  ])
  func inRun(source: String) {
    let outcome = LuaRuntime.run(source, chunkName: "json.lua", limits: LuaLimits(wallTime: 10))
    if outcome.status != .success { #expect(outcome.error?.contains("json.decode:") == true, "\(outcome.error ?? "")") }
    #expect(LuaRuntime.run("return 1 + 1", chunkName: "next.lua").result == "2")
  }
}
