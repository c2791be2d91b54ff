import CLua
import Foundation

/// `exec`: child processes for tasks granted `exec` (see `ProcessRunner`). Without the grant
/// the global does not exist (DESIGN.md section 5: "exec is absent unless granted").
///
/// `exec(argv [, opts])` runs `argv[1]` with the arguments `argv[2...]`, with no shell:
/// `argv` is a non-empty array of strings (numbers are converted); a program name without
/// a `/` is looked up on the child's PATH, a relative path is taken from `cwd`. Options:
/// `timeout` in seconds (defaults to, and is capped by, the run's remaining time), `env`, a
/// table of `NAME = value` added to the child's minimal environment (PATH, HOME, LANG and
/// TZ, copied from the host when set), and `cwd`, the child's working directory. The child
/// reads an empty stdin. Unknown options are errors.
///
/// It returns `{code=, stdout=, stderr=}`: the exit status (a nonzero status is a result,
/// not an error; a child ended by a signal gives 128 + the signal number) and the first
/// 1 MiB of each output stream (the rest is read and dropped). The child runs in its own
/// process group; at the timeout the whole group is killed and the call fails with
/// `exec: sleep timed out after 2s; its process group was killed` (the run's own deadline
/// ends the run as a timeout instead). A program that cannot be started is an error.
enum ExecGlue: Sandbox.Family {
  /// Each of stdout and stderr keeps at most this much.
  static let maxOutputBytes = 1 << 20

  static func register(in L: OpaquePointer, _ register: (String, cronpp_swift_function) -> Void, context: RunContext) {
    if context.grants.exec { register("exec", run) }
  }

  /// Arguments and options are checked in Lua, where a bad value can simply raise; Swift
  /// gets an array of strings and a flat `NAME, value` list.
  static let globals = ["exec"]

  static let lua = """
    local run = raw.exec
    if run ~= nil then
      local type, error, pairs, tostring = type, error, pairs, tostring
      local known = { timeout = true, env = true, cwd = true }
      exec = function(argv, opts)
        if type(argv) ~= "table" or argv[1] == nil then
          error("exec: expects an array of strings such as { \\"ls\\", \\"-l\\" }", 2)
        end
        local args = {}
        for i = 1, #argv do
          local arg = argv[i]
          if type(arg) == "number" then arg = tostring(arg)
          elseif type(arg) ~= "string" then error("exec: argument " .. i .. " must be a string", 2) end
          args[i] = arg
        end
        if opts == nil then opts = {} end
        if type(opts) ~= "table" then error("exec: options must be a table", 2) end
        for key in pairs(opts) do
          if not known[key] then error("exec: unknown option '" .. tostring(key) .. "'", 2) end
        end
        local env, flat = opts.env, nil
        if env ~= nil then
          if type(env) ~= "table" then error("exec: env must be a table of NAME = value", 2) end
          flat = {}
          for name, value in pairs(env) do
            if type(name) ~= "string" then error("exec: env names must be strings", 2) end
            if type(value) == "number" then value = tostring(value)
            elseif type(value) ~= "string" then error("exec: env " .. name .. " must be a string", 2) end
            flat[#flat + 1], flat[#flat + 2] = name, value
          end
        end
        if opts.cwd ~= nil and type(opts.cwd) ~= "string" then error("exec: cwd must be a string", 2) end
        if opts.timeout ~= nil and type(opts.timeout) ~= "number" then error("exec: timeout must be a number of seconds", 2) end
        local result = run(args, flat, opts.cwd, opts.timeout)
        return result
      end
    end
    """

  /// `run(args, env, cwd, timeout)` -> `{code=, stdout=, stderr=}`.
  static let run: cronpp_swift_function = { L in
    guard let L, let context = RunContext.from(L) else { return 0 }
    var arguments: [String] = []
    for index in 1...max(1, Int64(lua_rawlen(L, 1))) {
      lua_rawgeti(L, 1, index)
      arguments.append(LuaRuntime.string(at: -1, in: L) ?? "")
      cronpp_lua_pop(L, 1)
    }
    var environment: [String: String] = [:]
    if lua_type(L, 2) == LUA_TTABLE {
      for index in stride(from: 1, to: Int64(lua_rawlen(L, 2)), by: 2) {
        lua_rawgeti(L, 2, index)
        lua_rawgeti(L, 2, index + 1)
        environment[LuaRuntime.string(at: -2, in: L) ?? ""] = LuaRuntime.string(at: -1, in: L) ?? ""
        cronpp_lua_pop(L, 2)
      }
    }
    let directory = lua_type(L, 3) == LUA_TSTRING ? LuaRuntime.string(at: 3, in: L) : nil
    let remaining = context.remaining
    guard let timeout = context.timeout(argument: 4, in: L, within: remaining) else {
      return Bridges.fail(L, "exec: timeout must be a positive number of seconds")
    }
    guard let runner = context.services.exec else { return Bridges.fail(L, "exec: running programs is not available in this run") }

    let request = ExecRequest(
      arguments: arguments, environment: environment, workingDirectory: directory, timeout: timeout, maxOutputBytes: maxOutputBytes)
    let result: ExecResult
    do throws(BridgeError) {
      result = try runner.run(request)
    } catch {
      // Only the run's own deadline ends the run; a shorter limit the script chose is an error.
      let error = error.timedOut && timeout < remaining ? BridgeError(error.message) : error
      return context.fail(L, "exec", error)
    }
    guard HTTPGlue.hasRoom(for: result.stdout.count + result.stderr.count, in: context) else {
      return Bridges.fail(L, "memory limit exceeded")
    }
    guard lua_checkstack(L, 4) != 0 else { return Bridges.fail(L, "exec: out of stack space") }
    lua_createtable(L, 0, 3)
    lua_pushinteger(L, Int64(result.code))
    lua_setfield(L, -2, "code")
    _ = result.stdout.withUnsafeBufferPointer { lua_pushlstring(L, $0.baseAddress, $0.count) }
    lua_setfield(L, -2, "stdout")
    _ = result.stderr.withUnsafeBufferPointer { lua_pushlstring(L, $0.baseAddress, $0.count) }
    lua_setfield(L, -2, "stderr")
    return 1
  }
}
