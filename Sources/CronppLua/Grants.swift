/// What a run may reach beyond pure Lua, parsed from its normalized grants
/// (`db`, `db:write`, `http:HOST`, `env:NAME`, `exec`). Nothing is granted by default.
struct LuaGrants: Sendable, Equatable {
  var dbRead = false
  var dbWrite = false
  var exec = false
  var environment: Set<String> = []
  var http = HostAllowlist(patterns: [])

  init(_ grants: [String]) {
    var hosts: [String] = []
    for grant in grants {
      switch grant {
      case "db": dbRead = true
      case "db:write": (dbRead, dbWrite) = (true, true)
      case "exec": exec = true
      case _ where grant.hasPrefix("env:"): environment.insert(String(grant.dropFirst(4)))
      case _ where grant.hasPrefix("http:"): hosts.append(String(grant.dropFirst(5)))
      default: break
      }
    }
    http = HostAllowlist(patterns: hosts)
  }
}

/// The hosts a task's `http` calls may reach: exact names or addresses, and `*.example.com`
/// for any name below example.com (not example.com itself).
public struct HostAllowlist: Sendable, Equatable {
  /// Lowercased, as granted: `api.example.com`, `*.example.com`, `10.0.0.5`, `[::1]`.
  public let patterns: [String]

  public init(patterns: [String]) { self.patterns = patterns.map { $0.lowercased() } }

  /// Whether some grant covers `host` (a name, an IPv4 address, or an IPv6 address with or
  /// without brackets).
  public func permits(_ host: String) -> Bool {
    let host = Self.canonical(host)
    return patterns.contains { pattern in
      pattern.hasPrefix("*.") ? host.hasSuffix(pattern.dropFirst(1)) && host.count > pattern.count - 1 : pattern == host
    }
  }

  /// Whether a grant names `host` exactly. A host that resolves to a loopback or link-local
  /// address is reachable only then, so a wildcard grant cannot be aimed at this machine.
  public func namesExactly(_ host: String) -> Bool {
    patterns.contains(Self.canonical(host))
  }

  /// The error for a host no grant covers, naming the grant that would.
  public static func denial(of host: String) -> BridgeError {
    let host = canonical(host)
    return BridgeError("not allowed: http to \(host) (grant with --allow http:\(host))")
  }

  /// Lowercased, without a trailing dot, IPv6 in brackets: the form grants are written in.
  public static func canonical(_ host: String) -> String {
    let host = host.lowercased()
    if host.contains(":") && !host.hasPrefix("[") { return "[" + host + "]" }
    return host.hasSuffix(".") ? String(host.dropLast()) : host
  }
}
