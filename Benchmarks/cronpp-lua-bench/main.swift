// cronpp-lua-bench: what one sandboxed run of a trivial task costs, next to a bare Lua state.
//
//   swift build -c release --product cronpp-lua-bench --scratch-path .build-bench
//   .build-bench/release/cronpp-lua-bench [--runs N] [--repeats R] [SOURCE]
//
// Runs SOURCE (default `return 1`) N times through `LuaRuntime.run` (a fresh state, the
// sandbox, budgets and hook, the bridges' prelude, the result encoded as JSON, the state
// closed), R times, and the same chunk N times in a bare state (`luaL_newstate`,
// `luaL_openlibs`, load, call, close) for a peer measured in the same run. Prints one JSON
// line with the best per-run time of each in microseconds:
//   {"runs":20000,"cronpp_us":41.2,"bare_lua_us":18.3,"ratio":2.25}
// scripts/bench_lua.py adds the `lua5.4` interpreter's process start-up for scale.
// Not a test: timings depend on the machine.

import CLua
import CronppLua
import Foundation

struct Options {
  var runs = 20_000
  var repeats = 5
  var source = "return 1"
}

func parseOptions() -> Options {
  var options = Options()
  var arguments = CommandLine.arguments.dropFirst()
  while let argument = arguments.popFirst() {
    switch argument {
    case "--runs": options.runs = arguments.popFirst().flatMap(Int.init) ?? options.runs
    case "--repeats": options.repeats = arguments.popFirst().flatMap(Int.init) ?? options.repeats
    default: options.source = argument
    }
  }
  return options
}

let options = parseOptions()
let (runs, repeats, source) = (options.runs, options.repeats, options.source)

/// The best of `repeats` timings of `runs` calls, per call, in microseconds.
func best(runs: Int, repeats: Int, _ body: () -> Void) -> Double {
  var fastest = Double.infinity
  for _ in 0..<repeats {
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<runs { body() }
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e3
    fastest = min(fastest, elapsed / Double(runs))
  }
  return fastest
}

let check = LuaRuntime.run(source, chunkName: "bench.lua")
guard check.status == .success else {
  FileHandle.standardError.write(Data("cronpp-lua-bench: the chunk failed: \(check.error ?? "")\n".utf8))
  exit(1)
}

let sandboxed = best(runs: runs, repeats: repeats) { _ = LuaRuntime.run(source, chunkName: "bench.lua") }
let bare = best(runs: runs, repeats: repeats) {
  let L = luaL_newstate()!
  luaL_openlibs(L)
  _ = luaL_loadstring(L, source)
  _ = cronpp_lua_pcall(L, 0, 1, 0)
  lua_close(L)
}
let format = { (value: Double) in String(format: "%.2f", value) }
print(#"{"runs":\#(runs),"cronpp_us":\#(format(sandboxed)),"bare_lua_us":\#(format(bare)),"ratio":\#(format(sandboxed / bare))}"#)
