import CLua
import Foundation

/// Swift functions behind the Lua globals. Each returns the number of results, or -1 with
/// an error message pushed, for the C trampoline to raise (lua_error must not unwind Swift).
enum Bridges {
  /// `emit(level, message [, fieldsJSON])`, called by the prelude's print/warn/log.
  static let emit: cronpp_swift_function = { L in
    guard let L, let capture = LogCapture.from(L) else { return 0 }
    let level = LuaRuntime.string(at: 1, in: L).flatMap(LuaLogLine.Level.init(rawValue:)) ?? .info
    let message = lua_type(L, 2) == LUA_TSTRING ? LuaRuntime.string(at: 2, in: L) ?? "" : ""
    let fields = lua_type(L, 3) == LUA_TSTRING ? LuaRuntime.string(at: 3, in: L) : nil
    capture.append(level, message, fields: fields)
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
    do {
      let value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
      guard lua_checkstack(L, 200) != 0 else { return fail(L, "json.decode: too deeply nested") }
      try JSONBridge.push(value, into: L, depth: 0)
      return 1
    } catch let error as JSONBridge.Failure {
      return fail(L, "json.decode: \(error.message)")
    } catch {
      return fail(L, "json.decode: not valid JSON")
    }
  }

  /// `time.now()` -> Unix seconds with a fraction.
  static let timeNow: cronpp_swift_function = { L in
    guard let L else { return 0 }
    lua_pushnumber(L, Date().timeIntervalSince1970)
    return 1
  }

  static func fail(_ L: OpaquePointer, _ message: String) -> Int32 {
    lua_pushlstring(L, message, message.utf8.count)
    return -1
  }
}
