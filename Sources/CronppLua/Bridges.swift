import CLua
import Foundation

/// The core bridges: log capture (`print`, `warn`, `log.*`), `json`, `time` and `sleep`,
/// and the Lua half of the sandbox (text-only `load`, no `__gc`).
///
/// Each Swift function returns its number of results, or -1 with an error message pushed,
/// for the C trampoline to raise: `lua_error` must never unwind Swift frames.
enum Bridges: Sandbox.Family {
  static func register(in L: OpaquePointer, _ register: (String, cronpp_swift_function) -> Void, context: RunContext) {
    register("emit", emit)
    register("json_encode", jsonEncode)
    register("json_decode", jsonDecode)
    register("time_now", timeNow)
    register("time_format", timeFormat)
    register("sleep", sleep)
  }

  static let globals = ["json", "time", "sleep", "log", "print", "warn", "load", "setmetatable"]

  static let lua = """
    local rawload, type, select, error, tostring, concat = load, type, select, error, tostring, table.concat
    local emit, encode = raw.emit, raw.json_encode
    json = { encode = raw.json_encode, decode = raw.json_decode }
    time = { now = raw.time_now, format = raw.time_format }
    sleep = raw.sleep
    -- Lua runs __gc with hooks off, so no budget could stop a finalizer: there are none.
    local rawsetmetatable, rawget = setmetatable, rawget
    setmetatable = function(t, mt)
      if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
        error("setmetatable: __gc finalizers are not allowed in the sandbox", 2)
      end
      return rawsetmetatable(t, mt)
    end
    load = function(chunk, name, mode, ...)
      if type(chunk) ~= "string" then error("load: only text chunks are allowed here", 2) end
      if select("#", ...) > 0 then return rawload(chunk, name, "t", (...)) end
      return rawload(chunk, name, "t")
    end
    local function text(...)
      local parts = {}
      for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
      return concat(parts, "\\t")
    end
    print = function(...) emit("info", text(...)) end
    warn = function(...)
      local message = concat({...})
      if message:sub(1, 1) ~= "@" then emit("warn", message) end
    end
    local function logger(level)
      return function(message, fields)
        if fields ~= nil and type(fields) ~= "table" then error("log." .. level .. ": fields must be a table", 2) end
        emit(level, tostring(message), fields ~= nil and encode(fields) or nil)
      end
    end
    log = { debug = logger("debug"), info = logger("info"), warn = logger("warn"), error = logger("error") }
    """

  /// `emit(level, message [, fieldsJSON])`, called by print/warn/log.
  static let emit: cronpp_swift_function = { L in
    guard let L, let context = RunContext.from(L) else { return 0 }
    let level = LuaRuntime.string(at: 1, in: L).flatMap(LuaLogLine.Level.init(rawValue:)) ?? .info
    let message = lua_type(L, 2) == LUA_TSTRING ? LuaRuntime.string(at: 2, in: L) ?? "" : ""
    let fields = lua_type(L, 3) == LUA_TSTRING ? LuaRuntime.string(at: 3, in: L) : nil
    context.capture.append(level, message, fields: fields)
    return 0
  }

  /// `json.encode(value)` -> text, strict: an error names the path of what cannot be encoded.
  static let jsonEncode: cronpp_swift_function = { L in
    guard let L else { return 0 }
    do throws(JSONBridge.Failure) {
      let text = try JSONBridge.encode(L, index: 1)
      lua_pushlstring(L, text, text.utf8.count)
      return 1
    } catch {
      return fail(L, "json.encode: \(error.message)")
    }
  }

  /// `json.decode(text)` -> value; JSON null becomes nil.
  static let jsonDecode: cronpp_swift_function = { L in
    guard let L else { return 0 }
    guard lua_type(L, 1) == LUA_TSTRING, let text = LuaRuntime.string(at: 1, in: L) else {
      return fail(L, "json.decode: expects a string")
    }
    return decode(text, into: L, bridge: "json.decode")
  }

  /// Pushes the decoded JSON `text`, or returns the raised error.
  static func decode(_ text: String, into L: OpaquePointer, bridge: String) -> Int32 {
    do throws(JSONBridge.Failure) {
      let value = try JSONBridge.decode(text)
      guard lua_checkstack(L, 200) != 0 else { return fail(L, "\(bridge): too deeply nested") }
      try JSONBridge.push(value, into: L, depth: 0)
      return 1
    } catch {
      return fail(L, "\(bridge): \(error.message)")
    }
  }

  /// `time.now()` -> Unix seconds with a fraction.
  static let timeNow: cronpp_swift_function = { L in
    guard let L else { return 0 }
    lua_pushnumber(L, Date().timeIntervalSince1970)
    return 1
  }

  /// `time.format(seconds [, zone])` -> RFC 3339 text, in UTC unless an IANA zone is named.
  static let timeFormat: cronpp_swift_function = { L in
    guard let L else { return 0 }
    guard lua_type(L, 1) == LUA_TNUMBER else { return fail(L, "time.format: expects Unix seconds as a number") }
    let seconds = lua_tonumberx(L, 1, nil)
    guard seconds.isFinite, abs(seconds) < 1e11 else { return fail(L, "time.format: \(seconds) is out of range") }
    var zone = TimeZone(identifier: "UTC")!
    if lua_type(L, 2) == LUA_TSTRING, let name = LuaRuntime.string(at: 2, in: L) {
      guard let named = TimeZone(identifier: name) else { return fail(L, "time.format: unknown time zone '\(name)'") }
      zone = named
    } else if lua_type(L, 2) != LUA_TNONE && lua_type(L, 2) != LUA_TNIL {
      return fail(L, "time.format: the zone must be a string such as 'Europe/Paris'")
    }
    let text = rfc3339(Date(timeIntervalSince1970: seconds), in: zone)
    lua_pushlstring(L, text, text.utf8.count)
    return 1
  }

  static func rfc3339(_ date: Date, in zone: TimeZone) -> String {
    let style = Date.ISO8601FormatStyle(
      timeSeparator: .colon, timeZoneSeparator: .colon,
      includingFractionalSeconds: date.timeIntervalSince1970.rounded(.down) != date.timeIntervalSince1970, timeZone: zone)
    return date.formatted(style)
  }

  /// `sleep(seconds)`: blocks the run; a sleep past the run's deadline ends it as a timeout.
  static let sleep: cronpp_swift_function = { L in
    guard let L, let context = RunContext.from(L) else { return 0 }
    guard lua_type(L, 1) == LUA_TNUMBER else { return fail(L, "sleep: expects seconds as a number") }
    let seconds = lua_tonumberx(L, 1, nil)
    guard seconds >= 0, seconds.isFinite else { return fail(L, "sleep: \(seconds) is not a number of seconds >= 0") }
    let remaining = context.remaining
    Thread.sleep(forTimeInterval: min(seconds, remaining))
    if seconds > remaining { return context.fail(L, "sleep", BridgeError("deadline", timedOut: true)) }
    return 0
  }

  static func fail(_ L: OpaquePointer, _ message: String) -> Int32 {
    lua_pushlstring(L, message, message.utf8.count)
    return -1
  }
}
