import CLua
import Foundation

/// `db`: parameterized SQL on the data database (never the cronpp store). Read-only unless
/// the task holds `db:write`; no grant, no database.
enum DataBridge: Sandbox.Family {
  /// Rows a query may return before it fails (DESIGN.md section 5).
  static let maxRows = 10_000

  static func register(in L: OpaquePointer, _ register: (String, cronpp_swift_function) -> Void, context: RunContext) {
    register("db_query", query)
    register("db_exec", execute)
    register("db_begin", begin)
    register("db_commit", commit)
    register("db_rollback", rollback)
  }

  static let globals = ["db"]

  static let lua = """
    local query, execute, begin, commit, rollback = raw.db_query, raw.db_exec, raw.db_begin, raw.db_commit, raw.db_rollback
    local select, error, pcall, pack, unpack = select, error, pcall, table.pack, table.unpack
    local null = setmetatable({}, {
      __tostring = function() return "db.null" end,
      __newindex = function() error("db.null cannot be changed", 2) end,
      __metatable = "db.null",
    })
    db = { null = null }
    function db.query(sql, ...) return query(null, sql, select("#", ...), ...) end
    function db.exec(sql, ...) return execute(null, sql, select("#", ...), ...) end
    function db.tx(fn)
      if type(fn) ~= "function" then error("db.tx: expects a function", 2) end
      begin()
      local results = pack(pcall(fn))
      if results[1] then
        commit()
        return unpack(results, 2, results.n)
      end
      rollback()
      error(results[2], 0)
    end
    """

  /// `query(null, sql, n, args...)` -> array of rows keyed by column name.
  static let query: cronpp_swift_function = { L in
    guard let L, let context = RunContext.from(L) else { return 0 }
    do throws(BridgeError) {
      let (sql, arguments) = try statement(L)
      let source = try dataSource(context)
      let result = try source.query(sql, arguments, maxRows: maxRows, timeout: context.remaining)
      guard lua_checkstack(L, 8) != 0 else { throw BridgeError("out of stack space") }
      lua_createtable(L, Int32(min(result.rows.count, maxRows)), 0)
      for (i, row) in result.rows.enumerated() {
        lua_createtable(L, 0, Int32(result.columns.count))
        for (column, value) in zip(result.columns, row) {
          push(value, into: L, null: 1)
          lua_setfield(L, -2, column)
        }
        lua_rawseti(L, -2, Int64(i + 1))
      }
      return 1
    } catch {
      return context.fail(L, "db.query", error)
    }
  }

  /// `exec(null, sql, n, args...)` -> the number of rows changed.
  static let execute: cronpp_swift_function = { L in
    guard let L, let context = RunContext.from(L) else { return 0 }
    do throws(BridgeError) {
      let (sql, arguments) = try statement(L)
      let source = try dataSource(context)
      lua_pushinteger(L, Int64(try source.execute(sql, arguments, timeout: context.remaining)))
      return 1
    } catch {
      return context.fail(L, "db.exec", error)
    }
  }

  static let begin: cronpp_swift_function = { L in
    guard let L, let context = RunContext.from(L) else { return 0 }
    do throws(BridgeError) {
      try dataSource(context).begin(timeout: context.remaining)
      return 0
    } catch {
      return context.fail(L, "db.tx", error)
    }
  }

  static let commit: cronpp_swift_function = { L in
    guard let L, let context = RunContext.from(L) else { return 0 }
    do throws(BridgeError) {
      try dataSource(context).commit()
      return 0
    } catch {
      return context.fail(L, "db.tx", error)
    }
  }

  static let rollback: cronpp_swift_function = { L in
    guard let L, let context = RunContext.from(L) else { return 0 }
    context.data?.rollback()
    return 0
  }

  /// The run's connection, opened on first use after checking the grant.
  private static func dataSource(_ context: RunContext) throws(BridgeError) -> any DataSource {
    if let data = context.data { return data }
    guard context.grants.dbRead else { throw BridgeError("not allowed: db (grant with --allow db, or --allow db:write)") }
    guard let open = context.services.openData else {
      throw BridgeError("no data database is set (pass --data-db PATH or set CRONPP_DATA_DB)")
    }
    let data = try open(context.grants.dbWrite)
    context.data = data
    return data
  }

  /// The SQL text and its arguments: `db.null` and nil bind NULL, booleans 1 and 0, strings
  /// text when valid UTF-8 and blobs otherwise.
  private static func statement(_ L: OpaquePointer) throws(BridgeError) -> (String, [SQLValue]) {
    guard lua_type(L, 2) == LUA_TSTRING, let sql = LuaRuntime.string(at: 2, in: L) else {
      throw BridgeError("expects SQL text first, then its parameters")
    }
    let count = Int32(lua_tointegerx(L, 3, nil))
    var arguments: [SQLValue] = []
    arguments.reserveCapacity(Int(count))
    for index in 4..<(4 + count) {
      switch lua_type(L, index) {
      case LUA_TNIL, LUA_TNONE: arguments.append(.null)
      case LUA_TBOOLEAN: arguments.append(.integer(lua_toboolean(L, index) != 0 ? 1 : 0))
      case LUA_TNUMBER:
        arguments.append(lua_isinteger(L, index) != 0 ? .integer(lua_tointegerx(L, index, nil)) : .real(lua_tonumberx(L, index, nil)))
      case LUA_TSTRING:
        var length = 0
        let pointer = lua_tolstring(L, index, &length)!
        let bytes = Array(UnsafeRawBufferPointer(start: pointer, count: length))
        if let text = String(validating: bytes, as: UTF8.self) { arguments.append(.text(text)) } else { arguments.append(.blob(bytes)) }
      case LUA_TTABLE where lua_rawequal(L, index, 1) != 0:
        arguments.append(.null)
      default:
        let type = String(cString: lua_typename(L, lua_type(L, index)))
        throw BridgeError("parameter \(index - 3) is a \(type); pass nil, db.null, a boolean, number or string")
      }
    }
    return (sql, arguments)
  }

  private static func push(_ value: SQLValue, into L: OpaquePointer, null: Int32) {
    switch value {
    case .null: lua_pushvalue(L, null)
    case .integer(let i): lua_pushinteger(L, i)
    case .real(let d): lua_pushnumber(L, d)
    case .text(let s): lua_pushlstring(L, s, s.utf8.count)
    case .blob(let b): _ = b.withUnsafeBufferPointer { lua_pushlstring(L, $0.baseAddress, $0.count) }
    }
  }
}
