import CronppLua
import Testing

struct RuntimeTests {
  func run(_ source: String, limits: LuaLimits = LuaLimits(wallTime: 5)) -> LuaRunOutcome {
    LuaRuntime.run(source, chunkName: "task.lua", limits: limits)
  }

  @Test("a returned value becomes the run's JSON result", arguments: [
    ("return 1", "1"),
    ("return 'héllo\\n'", #""héllo\n""#),
    ("return {1, 2, 3}", "[1,2,3]"),
    ("return {removed = 3}", #"{"removed":3}"#),
    ("return {ok = true, ratio = 0.5, nested = {a = {}}}", nil),
    ("return 2^53", "9007199254740992"),
  ])
  func results(source: String, expected: String?) {
    let outcome = run(source)
    #expect(outcome.status == .success)
    if let expected { #expect(outcome.result == expected) } else { #expect(outcome.result?.hasPrefix("{") == true) }
  }

  @Test("a script that returns nothing has no result")
  func noResult() {
    #expect(run("local x = 1").result == nil)
  }

  @Test("error() fails the run with the message and a traceback naming file and line")
  func errors() throws {
    let outcome = run("local x = 1\nerror('boom')")
    #expect(outcome.status == .failed)
    #expect(outcome.error == "task.lua:2: boom")
    let traceback = try #require(outcome.traceback)
    #expect(traceback.contains("task.lua:2"))
  }

  @Test("an error object without a message still fails with one")
  func errorObjects() {
    #expect(run("error({code = 7})").error == "(error object is a table value)")
    #expect(run("error(setmetatable({}, {__tostring = function() return 'custom' end}))").error == "custom")
    #expect(run("error()").error?.isEmpty == false)
  }

  @Test("a syntax error fails with file and line")
  func syntaxError() {
    let outcome = run("local = 1")
    #expect(outcome.status == .failed)
    #expect(outcome.error?.hasPrefix("task.lua:1:") == true)
  }

  @Test("print, warn and log lines are captured in order with their levels and fields")
  func logging() {
    let outcome = run("""
      print('a', 1, nil, true)
      warn('careful')
      log.info('removed tokens', {count = 3})
      log.error('bad')
      """)
    #expect(outcome.lines.map(\.message) == ["a\t1\tnil\ttrue", "careful", "removed tokens", "bad"])
    #expect(outcome.lines.map(\.level) == [.info, .warn, .info, .error])
    #expect(outcome.lines[2].fields == #"{"count":3}"#)
  }

  @Test("captured output stops at its budget with one truncation line")
  func outputCap() {
    let outcome = run("for i = 1, 10000 do print(string.rep('x', 100)) end", limits: LuaLimits(wallTime: 5, outputBytes: 1000))
    #expect(outcome.status == .success)
    #expect(outcome.lines.count == 11)
    #expect(outcome.lines.last?.message.hasPrefix("output truncated") == true)
  }

  @Test("json round-trips and refuses what JSON cannot hold, naming the path", arguments: [
    ("return json.decode(json.encode({a = {1, 2, {b = 'c'}}})).a[3].b", #""c""# as String?, nil as String?),
    ("return json.encode({x = 0/0})", nil, "is not a JSON number"),
    ("return json.encode({x = math.huge})", nil, "json.encode: $.x: inf is not a JSON number"),
    ("return json.encode({items = {1, print}})", nil, "json.encode: $.items[2]: a function cannot be encoded as JSON"),
    ("local t = {} t.self = t return json.encode(t)", nil, "nested deeper than 100 levels"),
    ("return json.decode('{bad')", nil, "json.decode: not valid JSON"),
  ])
  func json(source: String, result: String?, error: String?) {
    let outcome = run(source)
    if let result { #expect(outcome.result == result) }
    if let error { #expect(outcome.error?.contains(error) == true, "\(outcome.error ?? "")") }
  }

  @Test("invalid UTF-8 in a result is replaced, not passed on")
  func invalidUTF8() {
    #expect(run(#"return "a\xffb""#).result == "\"a\u{FFFD}b\"")
  }

  @Test("bridges load on first use, and a script's own _G metatable keeps every one of them")
  func lazyGlobals() {
    #expect(run("return {rawget(_G, 'db') == nil, type(db), rawget(_G, 'db') ~= nil, type(http.get), type(kv.get), type(task.config)}").result
      == #"[true,"table",true,"function","function","table"]"#)
    let strict = run(
      "setmetatable(_G, {__newindex = function(_, k) error('undeclared ' .. k, 2) end}) return {type(db), type(require), type(env.get), exec == nil}")
    #expect(strict.result == #"["table","function","function",true]"#, "\(strict.error ?? "")")
  }
}
