import AsyncHTTPClient
import CronppLua
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The `http` bridge over AsyncHTTPClient, checking every hop against the task's grants.
///
/// Each hop resolves its host itself and refuses loopback, link-local and unspecified
/// addresses unless a grant names the host exactly, so `*.example.com` cannot be pointed at
/// this machine through DNS. The connection then goes to the address that was checked (an
/// `HTTPClient` made for the hop, whose `dnsOverride` pins the name to that address while
/// TLS still verifies the name), so DNS cannot answer differently between check and connect.
/// A client per hop costs a fresh connection each time, which a scheduled task can afford.
///
/// AsyncHTTPClient's own redirect handling is off: redirects are followed here, at most
/// `maxRedirects`, re-checking scheme, grant and address on each.
///
/// Nothing needs shutting down: each hop's client is shut down when the hop ends, and the
/// event loop group is shared (the process-wide singleton unless one is passed).
public final class HTTPClientBridge: HTTPBridge {
  /// Numeric addresses for a host name (`"192.0.2.7"`, `"2001:db8::7"`), or why there are none.
  typealias Resolver = @Sendable (_ host: String) -> Result<[String], BridgeError>

  private let eventLoopGroup: any EventLoopGroup
  private let resolver: Resolver

  public convenience init(eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
    self.init(eventLoopGroup: eventLoopGroup, resolver: HostAddresses.system)
  }

  /// Tests pass a resolver that maps made-up names to local addresses.
  init(eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, resolver: @escaping Resolver) {
    (self.eventLoopGroup, self.resolver) = (eventLoopGroup, resolver)
  }

  public func perform(_ spec: HTTPRequestSpec) throws(BridgeError) -> HTTPResponseData {
    let deadline = NIODeadline.now() + .nanoseconds(Int64(min(max(spec.timeout, 0), 1e7) * 1e9))
    var hop = Hop(method: spec.method.uppercased(), url: spec.url, headers: spec.headers, body: spec.body)
    if let body = spec.body, body.count > spec.maxBodyBytes {
      throw BridgeError("\(hop.label): request body larger than \(Self.byteSize(spec.maxBodyBytes))")
    }
    if !hop.headers.contains(where: { $0.name.lowercased() == "user-agent" }) {
      hop.headers.append((name: "user-agent", value: "cronpp"))
    }
    var redirects = 0
    var previous: String?
    while true {
      let target: Target
      do throws(Target.Refusal) {
        target = try Target(hop.url, allowlist: spec.allowlist)
      } catch {
        // A hop the script did not ask for names where it came from.
        if let previous { throw BridgeError("\(previous): redirected to \(hop.url): \(error.reason)") }
        throw error.denied ? BridgeError(error.reason) : BridgeError("\(hop.label): \(error.reason)")
      }
      let addresses = try checkedAddresses(of: target, hop: hop, spec: spec, deadline: deadline)
      let response = try exchange(hop, target: target, addresses: addresses, spec: spec, deadline: deadline)
      let status = Int(response.status.code)
      guard [301, 302, 303, 307, 308].contains(status), let location = response.headers.first(name: "location") else {
        return HTTPResponseData(status: status, headers: Self.headers(of: response), body: response.body.map { Array($0.readableBytesView) } ?? [], url: target.url.absoluteString)
      }
      redirects += 1
      guard redirects <= spec.maxRedirects else {
        throw BridgeError("\(hop.label): too many redirects (more than \(spec.maxRedirects))")
      }
      guard let next = URL(string: location, relativeTo: target.url)?.absoluteURL else {
        throw BridgeError("\(hop.label): redirected to an invalid URL: \(location)")
      }
      previous = hop.label
      hop = hop.redirected(status: status, from: target.url, to: next)
    }
  }

  // MARK: - One hop

  /// A request as sent on one hop of a redirect chain.
  private struct Hop {
    var method: String
    var url: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]?

    /// Names the hop in errors: `GET https://example.com/x`.
    var label: String { "\(method) \(url)" }

    /// The next hop: 301, 302 and 303 turn into a body-less GET (HEAD stays HEAD), 307 and 308
    /// repeat the request. Credentials are not sent on to another origin.
    func redirected(status: Int, from old: URL, to new: URL) -> Hop {
      var next = self
      next.url = new.absoluteString
      if status <= 303 && method != "HEAD" {
        next.method = "GET"
        next.body = nil
        next.headers.removeAll { ["content-type", "content-length", "transfer-encoding"].contains($0.name.lowercased()) }
      }
      if (old.scheme?.lowercased(), old.host?.lowercased(), old.port) != (new.scheme?.lowercased(), new.host?.lowercased(), new.port) {
        next.headers.removeAll { ["authorization", "cookie", "proxy-authorization"].contains($0.name.lowercased()) }
      }
      return next
    }
  }

  /// A hop's URL once it is known to be http(s) to a granted host.
  private struct Target {
    /// Why a URL may not be requested; `denied` when no grant covers its host.
    struct Refusal: Error {
      let reason: String
      var denied = false
    }

    let url: URL
    /// The host as AsyncHTTPClient sees it (`url.host`, IPv6 without brackets), which is
    /// also the key its `dnsOverride` is looked up by.
    let host: String

    init(_ text: String, allowlist: HostAllowlist) throws(Refusal) {
      guard let url = URL(string: text), let scheme = url.scheme?.lowercased() else { throw Refusal(reason: "not a valid URL") }
      guard scheme == "http" || scheme == "https" else { throw Refusal(reason: "only http and https URLs are allowed") }
      guard var host = url.host, !host.isEmpty else { throw Refusal(reason: "the URL has no host") }
      if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
      guard allowlist.permits(host) else { throw Refusal(reason: HostAllowlist.denial(of: host).message, denied: true) }
      (self.url, self.host) = (url, host)
    }
  }

  /// The addresses a hop may connect to, IPv4 first; fails when the host does not resolve
  /// or when any address is this machine's and no grant names the host exactly.
  private func checkedAddresses(of target: Target, hop: Hop, spec: HTTPRequestSpec, deadline: NIODeadline) throws(BridgeError) -> [String] {
    let addresses: [String]
    if HostAddresses.isLiteral(target.host) {
      addresses = [target.host]
    } else {
      let resolver = self.resolver
      let host = target.host
      guard let result = BlockingWait.onThread(timeout: Self.seconds(until: deadline), { resolver(host) }) else {
        throw Self.timeout(hop, spec)
      }
      switch result {
      case .success(let found): addresses = found
      case .failure(let error): throw BridgeError("\(hop.label): cannot resolve \(target.host): \(error.message)")
      }
      guard !addresses.isEmpty else { throw BridgeError("\(hop.label): cannot resolve \(target.host): no addresses") }
    }
    if !spec.allowlist.namesExactly(target.host) {
      for address in addresses {
        guard let kind = HostAddresses.localKind(of: address) else { continue }
        let exact = "only a grant naming it exactly reaches this machine: --allow http:\(HostAllowlist.canonical(target.host))"
        let article = kind.hasPrefix("u") ? "an" : "a"
        let why = address == target.host ? "is \(article) \(kind) address" : "resolves to \(address), \(article) \(kind) address"
        throw BridgeError("\(hop.label): not allowed: \(target.host) \(why) (\(exact))")
      }
    }
    let v4 = addresses.filter { !$0.contains(":") }
    var seen = Set<String>()
    return (v4 + addresses.filter { $0.contains(":") }).filter { seen.insert($0).inserted }
  }

  /// Sends the hop to its checked addresses in turn, moving on only when one cannot be
  /// connected to (nothing was sent, so even a POST is safe to try again).
  private func exchange(_ hop: Hop, target: Target, addresses: [String], spec: HTTPRequestSpec, deadline: NIODeadline) throws(BridgeError) -> HTTPClient.Response {
    let candidates = addresses.prefix(3)
    for (index, address) in candidates.enumerated() {
      let failure: any Error
      switch send(hop, target: target, address: address, spec: spec, deadline: deadline) {
      case .success(let response): return response
      case .failure(let error): failure = error
      }
      if Self.seconds(until: deadline) <= 0 || Self.isDeadline(failure) { throw Self.timeout(hop, spec) }
      if failure is ResponseAccumulator.ResponseTooBigError {
        throw BridgeError("\(hop.label): response body larger than \(Self.byteSize(spec.maxBodyBytes))")
      }
      if index + 1 < candidates.count && Self.couldNotConnect(failure) { continue }
      // Library errors may span lines; the run's error is one.
      let reason = Self.describe(failure).split(whereSeparator: \.isNewline).joined(separator: " ")
      throw BridgeError("\(hop.label): \(reason)")
    }
    throw BridgeError("\(hop.label): no address to connect to")
  }

  private func send(_ hop: Hop, target: Target, address: String, spec: HTTPRequestSpec, deadline: NIODeadline) -> Result<HTTPClient.Response, any Error> {
    var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, decompression: .disabled)
    configuration.connectionPool.retryConnectionEstablishment = false
    if address != target.host { configuration.dnsOverride = [target.host: address] }
    let client = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: configuration)
    // Shutting down completes on its own; the client keeps itself alive until then.
    defer { client.shutdown().whenComplete { _ in } }
    let request: HTTPClient.Request
    do {
      request = try HTTPClient.Request(
        url: target.url, method: HTTPMethod(rawValue: hop.method), headers: HTTPHeaders(hop.headers.map { ($0.name, $0.value) }),
        body: hop.body.map { .bytes($0) })
    } catch {
      return .failure(error)
    }
    let accumulator = ResponseAccumulator(request: request, maxBodySize: spec.maxBodyBytes)
    let task = client.execute(request: request, delegate: accumulator, deadline: deadline)
    let wait = BlockingWait<Result<HTTPClient.Response, any Error>>()
    task.futureResult.whenComplete { wait.finish($0) }
    // The deadline ends the request inside AsyncHTTPClient; the margin only guards the wait.
    guard let result = wait.wait(timeout: Self.seconds(until: deadline) + 2) else {
      task.cancel()
      return .failure(HTTPClientError.deadlineExceeded)
    }
    return result
  }

  // MARK: - Errors and responses

  private static func seconds(until deadline: NIODeadline) -> TimeInterval {
    Double((deadline - .now()).nanoseconds) / 1e9
  }

  /// Marked `timedOut`: the caller knows whether the run's deadline or a shorter limit it
  /// chose was reached.
  private static func timeout(_ hop: Hop, _ spec: HTTPRequestSpec) -> BridgeError {
    BridgeError("\(hop.label): timed out after \(secondsText(spec.timeout))", timedOut: true)
  }

  private static func isDeadline(_ error: any Error) -> Bool {
    guard let error = error as? HTTPClientError else { return false }
    return error == .deadlineExceeded || error == .cancelled
  }

  private static func couldNotConnect(_ error: any Error) -> Bool {
    if let error = error as? IOError { return [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL, ETIMEDOUT].contains(error.errnoCode) }
    if error is NIOConnectionError { return true }
    if let error = error as? ChannelError, case .connectTimeout = error { return true }
    if let error = error as? HTTPClientError { return error == .connectTimeout }
    return false
  }

  /// One line for a failed exchange: `connection refused`, `TLS: ...`.
  static func describe(_ error: any Error) -> String {
    switch error {
    case let error as IOError:
      return errnoText(error.errnoCode)
    case let error as NIOConnectionError:
      if let first = error.connectionErrors.first { return describe(first.error) }
      if let dns = error.dnsAError ?? error.dnsAAAAError { return "cannot resolve \(error.host): \(dns)" }
      return "cannot connect to \(error.host)"
    case let error as ChannelError:
      if case .connectTimeout = error { return "connection timed out" }
      return "connection failed (\(error))"
    case let error as HTTPClientError:
      switch error {
      case .connectTimeout: return "connection timed out"
      case .remoteConnectionClosed: return "the server closed the connection"
      case .readTimeout: return "the server stopped answering"
      case .tlsHandshakeTimeout: return "TLS handshake timed out"
      case .invalidURL, .emptyHost: return "not a valid URL"
      default: return "\(error)"
      }
    default:
      let name = String(reflecting: type(of: error)), text = "\(error)"
      guard name.contains("SSL") || name.contains("TLS") else { return text }
      // BoringSSL's reason code (CERTIFICATE_VERIFY_FAILED) says more than its full dump.
      if let code = text.range(of: "OPENSSL_internal:[A-Z0-9_]+", options: .regularExpression) {
        return "TLS handshake failed (\(text[code].dropFirst("OPENSSL_internal:".count)))"
      }
      return "TLS: \(text)"
    }
  }

  private static func errnoText(_ code: Int32) -> String {
    let text = String(cString: strerror(code))
    return text.prefix(1).lowercased() + text.dropFirst()
  }

  /// Names lowercased, repeated headers joined with ", ".
  private static func headers(of response: HTTPClient.Response) -> [String: String] {
    var headers: [String: String] = [:]
    for (name, value) in response.headers {
      let name = name.lowercased()
      headers[name] = headers[name].map { $0 + ", " + value } ?? value
    }
    return headers
  }

  /// `10 MiB`, or a byte count when the size is not whole mebibytes.
  private static func byteSize(_ bytes: Int) -> String {
    bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
  }
}

/// Host names to numeric addresses, and which addresses are this machine's.
enum HostAddresses {
  /// `getaddrinfo`, which may block for as long as DNS takes: callers run it on a thread
  /// of its own under the request's deadline.
  static let system: HTTPClientBridge.Resolver = { host in
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var list: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, nil, &hints, &list)
    guard status == 0, let list else { return .failure(BridgeError(String(cString: gai_strerror(status)).lowercased())) }
    defer { freeaddrinfo(list) }
    var addresses: [String] = []
    for node in sequence(first: list, next: { $0.pointee.ai_next }) {
      guard let address = node.pointee.ai_addr else { continue }
      var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
      guard getnameinfo(address, node.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0 else { continue }
      addresses.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    return .success(addresses)
  }

  /// Whether `host` is a numeric IPv4 or IPv6 address rather than a name.
  static func isLiteral(_ host: String) -> Bool { bytes(of: host) != nil }

  /// `loopback`, `link-local` or `unspecified` for an address that reaches this machine (or
  /// its link), including IPv4 addresses mapped into IPv6; `nil` for any other.
  static func localKind(of address: String) -> String? {
    guard let bytes = bytes(of: address) else { return nil }
    if bytes.count == 4 { return ipv4Kind(bytes) }
    if bytes.allSatisfy({ $0 == 0 }) { return "unspecified" }
    if bytes.prefix(15).allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return "loopback" }
    if bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80 { return "link-local" }
    if bytes.prefix(10).allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff { return ipv4Kind(Array(bytes[12...])) }
    return nil
  }

  private static func ipv4Kind(_ bytes: [UInt8]) -> String? {
    switch (bytes[0], bytes[1]) {
    case (127, _): "loopback"
    case (169, 254): "link-local"
    case (0, _): "unspecified"
    default: nil
    }
  }

  /// The 4 or 16 bytes of a numeric address; a zone (`fe80::1%eth0`) is ignored.
  private static func bytes(of address: String) -> [UInt8]? {
    let bare = String(address.prefix { $0 != "%" })
    var v4 = in_addr()
    if inet_pton(AF_INET, bare, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
    var v6 = in6_addr()
    if inet_pton(AF_INET6, bare, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
    return nil
  }
}
