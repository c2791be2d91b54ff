import CLua
import Foundation

/// `http`: the Lua side of HTTP requests (see `HTTPBridge`). The script API:
///
/// - `http.request{method=, url=, headers=, body= | json=, timeout=}` sends one request.
///   `url` (required) is an `http` or `https` URL whose host the task is granted
///   (`--allow http:HOST`, or `http:*.example.com` for names below example.com). `method`
///   defaults to `"GET"`, or `"POST"` when a body is given; it is uppercased. `headers` is a
///   table of `name = value` (strings or numbers; `user-agent: cronpp` unless given). `body`
///   is a string sent as is; `json` is any value, sent as JSON with `content-type:
///   application/json` unless `headers` names a content type. Give `body` or `json`, not both;
///   a request body is at most 10 MiB. `timeout` is in seconds, for the whole call including
///   redirects; it defaults to, and is capped by, the run's remaining time. Unknown options
///   are errors.
/// - It returns `{status=, headers=, body=, url=, json=}`: the status code (a status >= 400
///   is a response, not an error); response headers with lowercased names, repeated ones
///   joined with ", "; the body as a string (bytes as received, not decompressed); the URL
///   that answered, after redirects; and `json`, a function that decodes the body as JSON,
///   callable as `res.json()` or `res:json()`, raising `response.json: the body is not valid
///   JSON` when it is not (JSON null decodes to nil).
/// - `http.get(url [, opts])` is `http.request` with `method = "GET"`; `http.post(url, body
///   [, opts])` uses `method = "POST"` and sends a string `body` as is and a table as JSON.
///   `opts` takes the other options of `http.request`.
///
/// Errors name the function called (`http.request`, `http.get`, `http.post`) and, once the
/// request is under way, the request: `http.get: GET http://127.0.0.1:1/: connection
/// refused`. In particular:
/// - A host no grant covers fails the run before anything is sent, with exactly `not allowed:
///   http to HOST (grant with --allow http:HOST)`.
/// - The host is resolved first; if any of its addresses is loopback (127.0.0.0/8, ::1),
///   link-local (169.254.0.0/16, fe80::/10) or unspecified (0.0.0.0/8, ::), it is reached only
///   when a grant names it exactly: `... not allowed: api.example.com resolves to 127.0.0.1,
///   a loopback address (only a grant naming it exactly reaches this machine: --allow
///   http:api.example.com)`. The connection goes to the address that was checked.
/// - Up to 5 redirects are followed (301, 302 and 303 turn into a GET without body, HEAD
///   staying HEAD; 307 and 308 repeat the request), each re-checked like the first URL;
///   `authorization`, `cookie` and `proxy-authorization` are not sent on to another origin.
///   A refused hop reads `... redirected to URL: not allowed: ...`; a sixth redirect is
///   `too many redirects (more than 5)`.
/// - A response body over 10 MiB is `response body larger than 10 MiB`; a `timeout` the
///   script set is `timed out after 0.5s`; running into the run's own deadline ends the run
///   with status `timeout`, whatever the script catches.
enum HTTPGlue: Sandbox.Family {
  /// The largest body sent or received (DESIGN.md section 5).
  static let maxBodyBytes = 10 << 20
  static let maxRedirects = 5

  static func register(in L: OpaquePointer, _ register: (String, cronpp_swift_function) -> Void, context: RunContext) {
    register("http_request", request)
  }

  /// Options are read in Lua, where a bad value can simply raise; Swift gets plain strings,
  /// numbers and a flat header list, so no metamethod runs inside a Swift frame.
  static let globals = ["http"]

  static let lua = """
    local request, encode, decode = raw.http_request, raw.json_encode, raw.json_decode
    local type, error, pairs, pcall, tostring = type, error, pairs, pcall, tostring
    local known = { method = true, url = true, headers = true, body = true, json = true, timeout = true }
    local function flatten(name, headers)
      if headers == nil then return nil end
      if type(headers) ~= "table" then error(name .. ": headers must be a table of name = value", 4) end
      local flat, n = {}, 0
      for key, value in pairs(headers) do
        if type(key) ~= "string" then error(name .. ": header names must be strings", 4) end
        if type(value) == "number" then value = tostring(value)
        elseif type(value) ~= "string" then error(name .. ": header '" .. key .. "' must be a string or number", 4) end
        flat[n + 1], flat[n + 2], n = key, value, n + 2
      end
      return flat
    end
    local function perform(name, opts)
      if type(opts) ~= "table" then error(name .. ": expects a table of options such as { url = \\"https://...\\" }", 3) end
      for key in pairs(opts) do
        if not known[key] then error(name .. ": unknown option '" .. tostring(key) .. "'", 3) end
      end
      local body, value = opts.body, opts.json
      local isjson = value ~= nil
      if isjson then
        if body ~= nil then error(name .. ": give body or json, not both", 3) end
        body = encode(value)
      elseif body ~= nil and type(body) ~= "string" then
        error(name .. ": body must be a string (send a table with json = ...)", 3)
      end
      local status, headers, text, url = request(name, opts.method, opts.url, flatten(name, opts.headers), body, isjson, opts.timeout)
      local response = { status = status, headers = headers, body = text, url = url }
      response.json = function()
        local ok, decoded = pcall(decode, text)
        if not ok then error("response.json: the body is not valid JSON", 2) end
        return decoded
      end
      return response
    end
    local function copy(name, opts)
      local out = {}
      if opts == nil then return out end
      if type(opts) ~= "table" then error(name .. ": options must be a table", 3) end
      for key, value in pairs(opts) do out[key] = value end
      return out
    end
    http = {}
    function http.request(opts)
      local response = perform("http.request", opts)
      return response
    end
    function http.get(url, opts)
      local options = copy("http.get", opts)
      options.url, options.method = url, "GET"
      local response = perform("http.get", options)
      return response
    end
    function http.post(url, body, opts)
      local options = copy("http.post", opts)
      options.url, options.method = url, "POST"
      if type(body) == "table" then options.json, options.body = body, nil else options.body, options.json = body, nil end
      local response = perform("http.post", options)
      return response
    end
    """

  /// `request(name, method, url, headers, body, isjson, timeout)` -> status, headers, body, url.
  static let request: cronpp_swift_function = { L in
    guard let L, let context = RunContext.from(L) else { return 0 }
    let name = LuaRuntime.string(at: 1, in: L) ?? "http.request"
    guard lua_type(L, 3) == LUA_TSTRING, let url = LuaRuntime.string(at: 3, in: L) else {
      return Bridges.fail(L, "\(name): expects url = \"https://...\"")
    }
    guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
      return Bridges.fail(L, "\(name): only http and https URLs are allowed, not \(url.debugDescription)")
    }
    guard var host = parsed.host, !host.isEmpty else { return Bridges.fail(L, "\(name): the URL \(url) has no host") }
    if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    // Checked here as well as in the bridge, so a denied call never reaches the network.
    guard context.grants.http.permits(host) else { return Bridges.fail(L, HostAllowlist.denial(of: host).message) }

    let body = lua_type(L, 5) == LUA_TSTRING ? bytes(at: 5, in: L) : nil
    if let body, body.count > maxBodyBytes { return Bridges.fail(L, "\(name): request body larger than 10 MiB") }
    var method = body == nil ? "GET" : "POST"
    if lua_type(L, 2) == LUA_TSTRING, let given = LuaRuntime.string(at: 2, in: L) {
      method = given.uppercased()
    } else if lua_type(L, 2) > LUA_TNIL {
      return Bridges.fail(L, "\(name): method must be a string such as \"GET\"")
    }
    guard !method.isEmpty, method.utf8.allSatisfy(isTokenByte) else { return Bridges.fail(L, "\(name): \(method.debugDescription) is not an HTTP method") }
    var headers: [(name: String, value: String)] = []
    if lua_type(L, 4) == LUA_TTABLE {
      for index in stride(from: 1, to: Int64(lua_rawlen(L, 4)), by: 2) {
        lua_rawgeti(L, 4, index)
        lua_rawgeti(L, 4, index + 1)
        let header = LuaRuntime.string(at: -2, in: L) ?? "", value = LuaRuntime.string(at: -1, in: L) ?? ""
        cronpp_lua_pop(L, 2)
        guard !header.isEmpty, header.utf8.allSatisfy(isTokenByte) else { return Bridges.fail(L, "\(name): \(header.debugDescription) is not a header name") }
        guard !value.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0 }) else {
          return Bridges.fail(L, "\(name): the value of header '\(header)' contains a line break")
        }
        headers.append((name: header, value: value))
      }
    }
    if lua_toboolean(L, 6) != 0, !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
      headers.append((name: "content-type", value: "application/json"))
    }
    let remaining = context.remaining
    guard let timeout = context.timeout(argument: 7, in: L, within: remaining) else {
      return Bridges.fail(L, "\(name): timeout must be a positive number of seconds")
    }
    guard let bridge = context.services.http else { return Bridges.fail(L, "\(name): HTTP is not available in this run") }

    let spec = HTTPRequestSpec(
      method: method, url: url, headers: headers, body: body, timeout: timeout, maxBodyBytes: maxBodyBytes,
      maxRedirects: maxRedirects, allowlist: context.grants.http)
    let response: HTTPResponseData
    do throws(BridgeError) {
      response = try bridge.perform(spec)
    } catch {
      // Only the run's own deadline ends the run; a shorter limit the script chose is an error.
      let error = error.timedOut && timeout < remaining ? BridgeError(error.message) : error
      return context.fail(L, name, error)
    }
    let headerBytes = response.headers.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count + 64 }
    guard hasRoom(for: response.body.count + headerBytes, in: context) else {
      return Bridges.fail(L, "memory limit exceeded")
    }
    guard lua_checkstack(L, 6) != 0 else { return Bridges.fail(L, "\(name): out of stack space") }
    lua_pushinteger(L, Int64(response.status))
    lua_createtable(L, 0, Int32(response.headers.count))
    for (header, value) in response.headers {
      lua_pushlstring(L, value, value.utf8.count)
      lua_setfield(L, -2, header)
    }
    _ = response.body.withUnsafeBufferPointer { lua_pushlstring(L, $0.baseAddress, $0.count) }
    lua_pushlstring(L, response.url, response.url.utf8.count)
    return 4
  }

  /// Whether the run's memory budget can take `bytes` more. Results are pushed only after
  /// this check, so a large body spends the budget here, cleanly, instead of failing an
  /// allocation inside a Swift frame (whose error would unwind through it).
  static func hasRoom(for bytes: Int, in context: RunContext) -> Bool {
    let budget = context.budget
    guard budget.pointee.memory_used + bytes + 4096 > budget.pointee.memory_limit else { return true }
    if budget.pointee.exhausted == 0 { budget.pointee.exhausted = 1 }
    return false
  }

  /// The bytes of the string at `index`, which need not be UTF-8.
  static func bytes(at index: Int32, in L: OpaquePointer) -> [UInt8] {
    var length = 0
    guard let pointer = lua_tolstring(L, index, &length) else { return [] }
    return Array(UnsafeRawBufferPointer(start: pointer, count: length))
  }

  /// A byte of an HTTP token (RFC 9110): method and header names.
  private static func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
    default: "!#$%&'*+-.^_`|~".utf8.contains(byte)
    }
  }
}
