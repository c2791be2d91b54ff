import CronppLua
import Testing

/// The table library is CLuaStrings' copy of Lua 5.4.4's ltablib.c, patched to charge its
/// loops to the run's budget. Apart from that charging it must behave as liblua's does:
/// each script's `stock` output is what Debian's Lua 5.4.4 prints for it with its own table
/// library (the same script run under liblua and under the copy, compared).
struct TableLibraryTests {
  struct TableCase: Sendable, CustomTestStringConvertible {
    let name: String
    /// Lua that records what it sees with `add(...)`.
    let body: String
    /// The recorded values, space-separated, as stock Lua 5.4.4 produces them.
    let stock: String

    var testDescription: String { name }
    var source: String {
      "local out = {} local function add(...) for i = 1, select('#', ...) do out[#out + 1] = tostring((select(i, ...))) end end\n"
        + body + "\nreturn table.concat(out, ' ')"
    }
  }

  static let cases: [TableCase] = [
    TableCase(
      name: "sort, with and without a comparator",
      body: """
        local t = {5, 2, 8, 1, 9, 3, 2} table.sort(t) add(table.concat(t, ','))
        t = {5, 2, 8, 1, 9, 3, 2} table.sort(t, function(a, b) return a > b end) add(table.concat(t, ','))
        t = {'pear', 'apple', 'fig', 'banana', ''} table.sort(t) add(table.concat(t, ' '))
        t = {'pear', 'apple', 'fig', 'banana'} table.sort(t, function(a, b) return #a < #b end) add(t[1], t[4])
        local mt = {__lt = function(a, b) return a.v < b.v end}
        t = {} for i = 1, 50 do t[i] = setmetatable({v = (i * 37) % 50}, mt) end table.sort(t) add(t[1].v, t[25].v, t[50].v)
        t = {} for i = 1, 5000 do t[i] = (i * 7919) % 1009 end table.sort(t)
        local ok = true for i = 2, #t do ok = ok and t[i - 1] <= t[i] end add(ok, t[1], t[5000])
        t = {} for i = 1, 5000 do t[i] = 5000 - i end table.sort(t, function(a, b) return a < b end) add(t[1], t[2500], t[5000])
        t = {1} table.sort(t) table.sort({}) add(t[1])
        add(pcall(table.sort, {3, 'a', 1}))
        add(pcall(table.sort, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}, function(a, b) return true end))
        add(pcall(table.sort, {1, 2}, 3))
        """,
      stock: "1,2,2,3,5,8,9 9,8,5,3,2,2,1  apple banana fig pear fig banana 0 24 49 true 0 1008 0 2499 4999 1 false attempt to compare string with number false invalid order function for sorting false bad argument #2 to 'table.sort' (function expected, got number)"),
    TableCase(
      name: "insert and remove at every position",
      body: """
        local t = {1, 2, 3} table.insert(t, 4) table.insert(t, 1, 0) table.insert(t, 3, 'x') table.insert(t, #t + 1, 'end') add(table.concat(t, ','))
        add(pcall(table.insert, t, 9, 1)) add(pcall(table.insert, t, 0, 1)) add(pcall(table.insert, t, 1, 2, 3)) add(pcall(table.insert, t))
        add(table.remove(t), table.remove(t, 1), table.remove(t, 2), table.concat(t, ','))
        add(table.remove({}), table.remove({}, 0), #t, table.remove(t, #t + 1))
        add(pcall(table.remove, t, 7))
        local store = {} local w = setmetatable({}, {__index = store, __newindex = store, __len = function() return #store end})
        table.insert(w, 'a') table.insert(w, 1, 'b') table.insert(w, 'c') add(table.concat(store, ','), table.remove(w, 1), table.concat(store, ','))
        add(pcall(table.insert, nil, 1))
        """,
      stock: "0,1,x,2,3,4,end false bad argument #2 to 'table.insert' (position out of bounds) false bad argument #2 to 'table.insert' (position out of bounds) false wrong number of arguments to 'insert' false wrong number of arguments to 'insert' end 0 x 1,2,3,4 nil nil 4 nil false bad argument #1 to 'table.remove' (position out of bounds) b,a,c b a,c false bad argument #1 to 'table.insert' (table expected, got nil)"),
    TableCase(
      name: "move, overlapping or into another table",
      body: """
        local t = {1, 2, 3, 4, 5} table.move(t, 1, 3, 2) add(table.concat(t, ','))
        t = {1, 2, 3, 4, 5} table.move(t, 2, 5, 1) add(table.concat(t, ','))
        t = {1, 2, 3, 4, 5} table.move(t, 1, 5, 3) add(table.concat(t, ','))
        local d = table.move({1, 2, 3}, 1, 3, 2, {9}) add(table.concat(d, ','))
        add(#table.move({1, 2}, 3, 2, 1), select('#', table.move({}, 1, 0, 1)))
        add(pcall(table.move, {}, 1, math.maxinteger, 2))
        add(pcall(table.move, {}, -1, math.maxinteger, 2))
        """,
      stock: "1,1,2,3,5 2,3,4,5,5 1,2,1,2,3,4,5 9,1,2,3 2 1 false bad argument #4 to 'table.move' (destination wrap around) false bad argument #3 to 'table.move' (too many elements to move)"),
    TableCase(
      name: "concat with separators and ranges",
      body: """
        add(table.concat({1, 2, 3}), table.concat({1, 2, 3}, ', '), table.concat({'a', 'b', 'c', 'd'}, '-', 2, 3))
        add(table.concat({}, 'x'), table.concat({1, 2}, '', 3), table.concat({1.5, 'z', 7}, '|'), table.concat({'a', 'b'}, '--', 2, 2))
        local proxy = setmetatable({}, {__index = function(_, k) return k * 10 end, __len = function() return 4 end}) add(table.concat(proxy, ','))
        add(pcall(table.concat, {1, {}, 3})) add(pcall(table.concat, {}, {}))
        """,
      stock: "123 1, 2, 3 b-c   1.5|z|7 b 10,20,30,40 false invalid value (table) at index 2 in table for 'concat' false bad argument #2 to 'table.concat' (string expected, got table)"),
    TableCase(
      name: "unpack and pack",
      body: """
        add(table.unpack({1, 2, 3})) add(table.unpack({1, 2, 3}, 2)) add(table.unpack({1, 2, 3}, 2, 3))
        add(select('#', table.unpack({}, 1, 3))) add(select('#', table.unpack({1}, 3, 2))) add(table.unpack({1, 2, 3}, -1, 1))
        add(table.unpack(setmetatable({}, {__index = function(_, k) return k * 10 end, __len = function() return 4 end})))
        add(pcall(table.unpack, {}, 1, 1e8))
        local p = table.pack(1, nil, 3) add(p.n, p[1], p[2], p[3]) add(table.pack().n, #table.pack('a', 'b'))
        """,
      stock: "1 2 3 2 3 2 3 3 0 nil nil 1 10 20 30 40 false too many results to unpack 3 1 nil 3 0 2"),
  ]

  @Test("the vendored table library behaves as stock Lua 5.4.4 on ordinary use", arguments: cases)
  func behavesAsStock(_ example: TableCase) {
    let outcome = LuaRuntime.run(example.source, chunkName: "table.lua", limits: LuaLimits(wallTime: 10))
    #expect(outcome.status == .success, "\(outcome.error ?? "")")
    #expect(outcome.result == "\"" + example.stock + "\"")
  }

  @Test("the library's functions are all there, and nothing else")
  func functions() {
    let source = "local names = {} for k in pairs(table) do names[#names + 1] = k end table.sort(names) return table.concat(names, ' ')"
    #expect(LuaRuntime.run(source, chunkName: "table.lua", limits: LuaLimits(wallTime: 5)).result == #""concat insert move pack remove sort unpack""#)
  }
}
