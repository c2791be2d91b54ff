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
      JSONString.quote(LuaRuntime.string(at: index, in: L) ?? "", into: &out)
    case LUA_TTABLE:
      try writeTable(L, index, into: &out, path: path, depth: depth)
    default:
      let name = String(cString: lua_typename(L, lua_type(L, index)))
      throw Failure(message: "\(path): a \(name) cannot be encoded as JSON")
    }
  }

  /// A table with keys 1...n is an array; one with string keys an object; an empty one `{}`.
  /// `db.null`, the table whose locked metatable says "db.null": a SQL NULL read back,
  /// which is JSON's null.
  private static func isNullSentinel(_ L: OpaquePointer, _ index: Int32) -> Bool {
    guard lua_getmetatable(L, index) != 0 else { return false }
    defer { cronpp_lua_pop(L, 2) }
    lua_pushstring(L, "__metatable")
    lua_rawget(L, -2)
    return lua_type(L, -1) == LUA_TSTRING && LuaRuntime.string(at: -1, in: L) == "db.null"
  }

  private static func writeTable(_ L: OpaquePointer, _ index: Int32, into out: inout String, path: String, depth: Int) throws(Failure) {
    guard lua_checkstack(L, 4) != 0 else { throw Failure(message: "\(path): too deeply nested") }
    if isNullSentinel(L, index) {
      out += "null"
      return
    }
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
      JSONString.quote(key, into: &out)
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
enum JSONValue {
  case null, bool(Bool), integer(Int64), number(Double), string(String), array([JSONValue]), object([String: JSONValue])
}

extension JSONBridge {
  static let tooDeep = Failure(message: "nested deeper than \(maxDepth) levels")

  /// Parses JSON `text` by hand rather than with `JSONDecoder`: the decoder learns a value's
  /// type by failed probes whose cost grows with the depth, so a 1 MiB document of nested
  /// arrays took minutes, all inside one bridge call where no budget reaches. This parser is
  /// linear, and it refuses nesting deeper than `maxDepth` before descending further, so
  /// neither the Swift stack nor the time depends on what the script hands it.
  /// Numbers follow Lua's `tonumber`: integer syntax that fits in 64 bits is an integer,
  /// anything else a float; a float out of range (`1e400`) is refused, since Lua would make
  /// it an infinity that JSON cannot carry back. A lone surrogate escape becomes U+FFFD, as
  /// invalid UTF-8 does.
  static func decode(_ text: String) throws(Failure) -> JSONValue {
    var parser = JSONParser(bytes: Array(text.utf8))
    return try parser.document()
  }
}

/// A recursive-descent JSON parser over UTF-8 bytes (RFC 8259), for `JSONBridge.decode`.
private struct JSONParser {
  let bytes: [UInt8]
  var at = 0

  init(bytes: [UInt8]) { self.bytes = bytes }

  mutating func document() throws(JSONBridge.Failure) -> JSONValue {
    let value = try value(depth: 0)
    skipSpace()
    guard at == bytes.count else { throw invalid() }
    return value
  }

  private var peek: UInt8? { at < bytes.count ? bytes[at] : nil }

  private func invalid() -> JSONBridge.Failure {
    JSONBridge.Failure(message: "not valid JSON at byte \(min(at, bytes.count) + 1)")
  }

  private mutating func skipSpace() {
    while let byte = peek, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { at += 1 }
  }

  /// `depth` counts the containers around the value, as `JSONBridge.push` does.
  private mutating func value(depth: Int) throws(JSONBridge.Failure) -> JSONValue {
    guard depth < JSONBridge.maxDepth else { throw JSONBridge.tooDeep }
    skipSpace()
    switch peek {
    case UInt8(ascii: "{"): return try object(depth: depth)
    case UInt8(ascii: "["): return try array(depth: depth)
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"): try literal("true"); return .bool(true)
    case UInt8(ascii: "f"): try literal("false"); return .bool(false)
    case UInt8(ascii: "n"): try literal("null"); return .null
    default: return try number()
    }
  }

  private mutating func literal(_ word: StaticString) throws(JSONBridge.Failure) {
    let count = word.utf8CodeUnitCount
    guard bytes.count - at >= count else { throw invalid() }
    for i in 0..<count where bytes[at + i] != word.utf8Start[i] { throw invalid() }
    at += count
  }

  private mutating func array(depth: Int) throws(JSONBridge.Failure) -> JSONValue {
    at += 1
    var items: [JSONValue] = []
    skipSpace()
    if peek == UInt8(ascii: "]") { at += 1; return .array(items) }
    while true {
      items.append(try value(depth: depth + 1))
      skipSpace()
      switch peek {
      case UInt8(ascii: ","): at += 1
      case UInt8(ascii: "]"): at += 1; return .array(items)
      default: throw invalid()
      }
    }
  }

  private mutating func object(depth: Int) throws(JSONBridge.Failure) -> JSONValue {
    at += 1
    var members: [String: JSONValue] = [:]
    skipSpace()
    if peek == UInt8(ascii: "}") { at += 1; return .object(members) }
    while true {
      skipSpace()
      guard peek == UInt8(ascii: "\"") else { throw invalid() }
      let key = try string()
      skipSpace()
      guard peek == UInt8(ascii: ":") else { throw invalid() }
      at += 1
      members[key] = try value(depth: depth + 1)
      skipSpace()
      switch peek {
      case UInt8(ascii: ","): at += 1
      case UInt8(ascii: "}"): at += 1; return .object(members)
      default: throw invalid()
      }
    }
  }

  /// The text is valid UTF-8 already (the bridge decoded it with replacement), so runs of
  /// plain bytes are copied as they are.
  private mutating func string() throws(JSONBridge.Failure) -> String {
    at += 1
    var out: [UInt8] = []
    var start = at
    while let byte = peek {
      switch byte {
      case UInt8(ascii: "\""):
        out += bytes[start..<at]
        at += 1
        return String(decoding: out, as: UTF8.self)
      case UInt8(ascii: "\\"):
        out += bytes[start..<at]
        at += 1
        try escape(into: &out)
        start = at
      case 0..<0x20:
        throw invalid()
      default:
        at += 1
      }
    }
    throw invalid()
  }

  private mutating func escape(into out: inout [UInt8]) throws(JSONBridge.Failure) {
    guard let byte = peek else { throw invalid() }
    at += 1
    switch byte {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(byte)
    case UInt8(ascii: "b"): out.append(0x08)
    case UInt8(ascii: "f"): out.append(0x0C)
    case UInt8(ascii: "n"): out.append(0x0A)
    case UInt8(ascii: "r"): out.append(0x0D)
    case UInt8(ascii: "t"): out.append(0x09)
    case UInt8(ascii: "u"):
      var code = try hex4()
      if (0xD800..<0xDC00).contains(code), bytes.count - at >= 6, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") {
        let mark = at
        at += 2
        let low = try hex4()
        if (0xDC00..<0xE000).contains(low) { code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00) } else { at = mark }
      }
      out += String(Unicode.Scalar(code) ?? "\u{FFFD}").utf8
    default:
      at -= 1
      throw invalid()
    }
  }

  private mutating func hex4() throws(JSONBridge.Failure) -> UInt32 {
    guard bytes.count - at >= 4 else { throw invalid() }
    var code: UInt32 = 0
    for _ in 0..<4 {
      let byte = bytes[at]
      let digit: UInt8
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
      default: throw invalid()
      }
      code = code << 4 | UInt32(digit)
      at += 1
    }
    return code
  }

  private mutating func number() throws(JSONBridge.Failure) -> JSONValue {
    let start = at
    if peek == UInt8(ascii: "-") { at += 1 }
    guard peek == UInt8(ascii: "0") || digits() > 0 else { throw invalid() }
    if peek == UInt8(ascii: "0") { at += 1 }
    var integral = true
    if peek == UInt8(ascii: ".") {
      integral = false
      at += 1
      guard digits() > 0 else { throw invalid() }
    }
    if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
      integral = false
      at += 1
      if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { at += 1 }
      guard digits() > 0 else { throw invalid() }
    }
    let literal = String(decoding: bytes[start..<at], as: UTF8.self)
    if integral, let integer = Int64(literal) { return .integer(integer) }
    guard let number = Double(literal), number.isFinite else {
      throw JSONBridge.Failure(message: "number \(literal.prefix(40)) is out of range")
    }
    return .number(number)
  }

  /// Skips a run of digits and says how long it was.
  private mutating func digits() -> Int {
    let start = at
    while let byte = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { at += 1 }
    return at - start
  }
}

/// A string as JSON text: `json.encode` and serve's JSON log lines write strings this way.
public enum JSONString {
  /// `text` in double quotes, with `"`, `\` and control characters escaped.
  public static func quoted(_ text: String) -> String {
    var out = ""
    quote(text, into: &out)
    return out
  }

  public static func quote(_ text: String, into out: inout String) {
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
}
