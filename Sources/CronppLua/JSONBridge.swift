import CLua
import Foundation

/// Lua values to and from strict JSON: valid UTF-8 (invalid bytes replaced), no NaN or
/// infinity, no cycles; an error names the path (`$.items[2].price`).
/// Encoding reads tables with raw access only, so no metamethod runs and nothing raises.
enum JSONBridge {
  struct Failure: Error { let message: String }

  static let maxDepth = 100

  static func encode(_ L: OpaquePointer, index: Int32) throws(Failure) -> String {
    var out = ""
    try write(L, lua_absindex(L, index), into: &out, path: "$", depth: 0)
    return out
  }

  private static func write(_ L: OpaquePointer, _ index: Int32, into out: inout String, path: String, depth: Int) throws(Failure) {
    guard depth < maxDepth else { throw Failure(message: "\(path): nested deeper than \(maxDepth) levels (a cycle?)") }
    switch lua_type(L, index) {
    case LUA_TNIL:
      out += "null"
    case LUA_TBOOLEAN:
      out += lua_toboolean(L, index) != 0 ? "true" : "false"
    case LUA_TNUMBER:
      if lua_isinteger(L, index) != 0 {
        out += String(lua_tointegerx(L, index, nil))
      } else {
        let number = lua_tonumberx(L, index, nil)
        guard number.isFinite else { throw Failure(message: "\(path): \(number) is not a JSON number") }
        out += number == number.rounded() && abs(number) < 9.2e18 ? String(Int64(number)) : "\(number)"
      }
    case LUA_TSTRING:
      quote(LuaRuntime.string(at: index, in: L) ?? "", into: &out)
    case LUA_TTABLE:
      try writeTable(L, index, into: &out, path: path, depth: depth)
    default:
      let name = String(cString: lua_typename(L, lua_type(L, index)))
      throw Failure(message: "\(path): a \(name) cannot be encoded as JSON")
    }
  }

  /// A table with keys 1...n is an array; one with string keys an object; an empty one `{}`.
  private static func writeTable(_ L: OpaquePointer, _ index: Int32, into out: inout String, path: String, depth: Int) throws(Failure) {
    guard lua_checkstack(L, 4) != 0 else { throw Failure(message: "\(path): too deeply nested") }
    var count = 0, maxIndex: Int64 = 0, stringKeys = 0
    lua_pushnil(L)
    while lua_next(L, index) != 0 {
      count += 1
      if lua_type(L, -2) == LUA_TNUMBER, lua_isinteger(L, -2) != 0 {
        maxIndex = max(maxIndex, lua_tointegerx(L, -2, nil))
      } else if lua_type(L, -2) == LUA_TSTRING {
        stringKeys += 1
      }
      cronpp_lua_pop(L, 1)
    }
    if count > 0, stringKeys == 0, maxIndex == Int64(count) {
      out += "["
      for i in 1...maxIndex {
        if i > 1 { out += "," }
        lua_rawgeti(L, index, i)
        defer { cronpp_lua_pop(L, 1) }
        try write(L, lua_gettop(L), into: &out, path: "\(path)[\(i)]", depth: depth + 1)
      }
      out += "]"
      return
    }
    guard stringKeys == count else { throw Failure(message: "\(path): a table mixing array items and keys, or with non-string keys, cannot be encoded as JSON") }
    out += "{"
    var first = true
    lua_pushnil(L)
    while lua_next(L, index) != 0 {
      let key = LuaRuntime.string(at: -2, in: L) ?? ""
      if !first { out += "," }
      first = false
      quote(key, into: &out)
      out += ":"
      do {
        try write(L, lua_gettop(L), into: &out, path: "\(path).\(key)", depth: depth + 1)
      } catch {
        cronpp_lua_pop(L, 2)
        throw error
      }
      cronpp_lua_pop(L, 1)
    }
    out += "}"
  }

  private static func quote(_ text: String, into out: inout String) {
    out += "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
      default: out.unicodeScalars.append(scalar)
      }
    }
    out += "\""
  }

  static func push(_ value: JSONValue, into L: OpaquePointer, depth: Int) throws(Failure) {
    guard depth < maxDepth else { throw Failure(message: "nested deeper than \(maxDepth) levels") }
    switch value {
    case .null: lua_pushnil(L)
    case .bool(let b): lua_pushboolean(L, b ? 1 : 0)
    case .integer(let i): lua_pushinteger(L, i)
    case .number(let d): lua_pushnumber(L, d)
    case .string(let s): lua_pushlstring(L, s, s.utf8.count)
    case .array(let items):
      lua_createtable(L, Int32(min(items.count, 1 << 20)), 0)
      for (i, item) in items.enumerated() {
        try push(item, into: L, depth: depth + 1)
        lua_rawseti(L, -2, Int64(i + 1))
      }
    case .object(let members):
      lua_createtable(L, 0, Int32(min(members.count, 1 << 20)))
      for (key, member) in members {
        lua_pushlstring(L, key, key.utf8.count)
        try push(member, into: L, depth: depth + 1)
        lua_rawset(L, -3)
      }
    }
  }
}

/// A decoded JSON document.
enum JSONValue: Decodable {
  case null, bool(Bool), integer(Int64), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

  init(from decoder: Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() { self = .null }
    else if let b = try? container.decode(Bool.self) { self = .bool(b) }
    else if let i = try? container.decode(Int64.self) { self = .integer(i) }
    else if let d = try? container.decode(Double.self) { self = .number(d) }
    else if let s = try? container.decode(String.self) { self = .string(s) }
    else if let a = try? container.decode([JSONValue].self) { self = .array(a) }
    else { self = .object(try container.decode([String: JSONValue].self)) }
  }
}
