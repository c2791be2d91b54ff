import CronppLua
import Foundation
import Testing

@testable import CronppEngine

@Suite("http bridge")
struct HTTPBridgeTests {
  let local = ["http:127.0.0.1"]

  @Test("a GET returns status, lowercased headers, body and final URL")
  func get() async throws {
    let base = try await TestServer.base()
    let outcome = await runWithBridges(
      """
      local res = http.get("\(base)/hello")
      return { status = res.status, type = res.headers["content-type"], test = res.headers["x-test"], body = res.body, url = res.url }
      """, grants: local)
    #expect(outcome.status == .success, "\(outcome.error ?? "")")
    let result = resultObject(outcome)
    #expect(result["status"] as? Int == 200)
    #expect(result["type"] as? String == "text/plain")
    #expect(result["test"] as? String == "yes")
    #expect(result["body"] as? String == "hello")
    #expect(result["url"] as? String == "\(base)/hello")
  }

  @Test("a table posted is sent as JSON, and res.json() and res:json() decode the answer")
  func postJSON() async throws {
    let base = try await TestServer.base()
    let outcome = await runWithBridges(
      """
      local res = http.post("\(base)/echo", { n = 1, tags = { "a" } }, { headers = { ["X-Token"] = "t0k", ["X-Count"] = 3 } })
      local a, b = res.json(), res:json()
      local sent = json.decode(a.body)
      return { method = a.method, type = a.headers["content-type"], token = b.headers["x-token"], count = b.headers["x-count"],
               n = sent.n, tag = sent.tags[1] }
      """, grants: local)
    #expect(outcome.status == .success, "\(outcome.error ?? "")")
    let result = resultObject(outcome)
    #expect(result["method"] as? String == "POST")
    #expect(result["type"] as? String == "application/json")
    #expect(result["token"] as? String == "t0k")
    #expect(result["count"] as? String == "3")
    #expect(result["n"] as? Int == 1)
    #expect(result["tag"] as? String == "a")
  }

  @Test("http.request takes method, body and headers, and json= keeps a content type given")
  func request() async throws {
    let base = try await TestServer.base()
    let outcome = await runWithBridges(
      """
      local put = http.request{ method = "put", url = "\(base)/echo", body = "raw text" }:json()
      local typed = http.request{ url = "\(base)/echo", json = { ok = true }, headers = { ["Content-Type"] = "application/vnd.x+json" } }:json()
      return { method = put.method, body = put.body, typedMethod = typed.method, type = typed.headers["content-type"], sent = typed.body }
      """, grants: local)
    #expect(outcome.status == .success, "\(outcome.error ?? "")")
    let result = resultObject(outcome)
    #expect(result["method"] as? String == "PUT")
    #expect(result["body"] as? String == "raw text")
    #expect(result["typedMethod"] as? String == "POST")
    #expect(result["type"] as? String == "application/vnd.x+json")
    #expect(result["sent"] as? String == #"{"ok":true}"#)
  }

  @Test("a status of 400 or more is returned, not raised; json() on a non-JSON body raises")
  func errorStatus() async throws {
    let base = try await TestServer.base()
    let outcome = await runWithBridges(
      """
      local res = http.get("\(base)/status/404")
      local ok, err = pcall(res.json)
      return { status = res.status, body = res.body, ok = ok, err = err }
      """, grants: local)
    #expect(outcome.status == .success, "\(outcome.error ?? "")")
    let result = resultObject(outcome)
    #expect(result["status"] as? Int == 404)
    #expect(result["body"] as? String == "status 404")
    #expect(result["ok"] as? Bool == false)
    #expect((result["err"] as? String)?.contains("not valid JSON") == true)
  }

  @Test("redirects are followed: 302 chains, 303 turns a POST into a GET, 307 keeps method and body")
  func redirects() async throws {
    let base = try await TestServer.base()
    let outcome = await runWithBridges(
      """
      local chain = http.get("\(base)/redirect/3")
      local see = http.post("\(base)/to?status=303&url=/echo", "payload"):json()
      local keep = http.post("\(base)/to?status=307&url=/echo", "payload"):json()
      return { body = chain.body, url = chain.url, seeMethod = see.method, seeBody = see.body, keepMethod = keep.method, keepBody = keep.body }
      """, grants: local)
    #expect(outcome.status == .success, "\(outcome.error ?? "")")
    let result = resultObject(outcome)
    #expect(result["body"] as? String == "hello")
    #expect(result["url"] as? String == "\(base)/hello")
    #expect(result["seeMethod"] as? String == "GET")
    #expect(result["seeBody"] as? String == "")
    #expect(result["keepMethod"] as? String == "POST")
    #expect(result["keepBody"] as? String == "payload")
  }

  @Test("a redirect to a host the task is not granted is refused before it is requested")
  func redirectDenied() async throws {
    let (base, port) = (try await TestServer.base(), try await TestServer.port())
    let token = "redirect-\(UUID().uuidString)"
    let outcome = await runWithBridges(#"http.get("\#(base)/to?url=http://localhost:\#(port)/hit/\#(token)")"#, grants: local)
    #expect(outcome.status == .failed)
    #expect(outcome.error?.contains("redirected to http://localhost:\(port)/hit/\(token)") == true, "\(outcome.error ?? "")")
    #expect(outcome.error?.contains("not allowed: http to localhost (grant with --allow http:localhost)") == true)
    #expect(try await TestServer.hits(token) == 0)
  }

  @Test("more than 5 redirects is an error")
  func tooManyRedirects() async throws {
    let base = try await TestServer.base()
    let outcome = await runWithBridges(#"http.get("\#(base)/loop")"#, grants: local)
    #expect(outcome.status == .failed)
    #expect(outcome.error == "http.get: GET \(base)/loop: too many redirects (more than 5)")
  }

  @Test("a response body over 10 MiB is an error")
  func bodyCap() async throws {
    let base = try await TestServer.base()
    let fits = await runWithBridges(#"return #http.get("\#(base)/big?bytes=\#(10 << 20)").body"#, grants: local)
    #expect(fits.result == "\(10 << 20)", "\(fits.error ?? "")")
    let outcome = await runWithBridges(#"http.get("\#(base)/big?bytes=\#((10 << 20) + 1)")"#, grants: local)
    #expect(outcome.status == .failed)
    #expect(outcome.error == "http.get: GET \(base)/big?bytes=\((10 << 20) + 1): response body larger than 10 MiB")
  }

  @Test("a host without a grant fails the run with the grant to add, and is never contacted")
  func deniedHost() async throws {
    let base = try await TestServer.base()
    let token = "denied-\(UUID().uuidString)"
    for grants in [[], ["http:example.com"]] {
      let outcome = await runWithBridges(#"http.get("\#(base)/hit/\#(token)")"#, grants: grants)
      #expect(outcome.status == .failed)
      #expect(outcome.error == "not allowed: http to 127.0.0.1 (grant with --allow http:127.0.0.1)")
    }
    #expect(try await TestServer.hits(token) == 0)
  }

  @Test("a wildcard grant does not reach a loopback address; an exact grant does")
  func wildcardLoopback() async throws {
    let (base, port) = (try await TestServer.base(), try await TestServer.port())
    let token = "wildcard-\(UUID().uuidString)"
    let literal = await runWithBridges(#"http.get("\#(base)/hit/\#(token)")"#, grants: ["http:*.0.0.1"])
    #expect(literal.error?.contains("not allowed: 127.0.0.1 is a loopback address") == true, "\(literal.error ?? "")")

    // DNS that points a granted name at this machine, as an attacker's zone could.
    let pointed = HTTPClientBridge(resolver: { _ in .success(["127.0.0.1"]) })
    let url = "http://api.example.com:\(port)"
    let wildcard = await runWithBridges(#"http.get("\#(url)/hit/\#(token)")"#, grants: ["http:*.example.com"], http: pointed)
    #expect(wildcard.error?.contains("api.example.com resolves to 127.0.0.1, a loopback address") == true, "\(wildcard.error ?? "")")
    let linkLocal = HTTPClientBridge(resolver: { _ in .success(["169.254.169.254"]) })
    let metadata = await runWithBridges(#"http.get("http://metadata.example.com/")"#, grants: ["http:*.example.com"], http: linkLocal)
    #expect(metadata.error?.contains("169.254.169.254, a link-local address") == true, "\(metadata.error ?? "")")
    #expect(try await TestServer.hits(token) == 0)

    // Named exactly, the name is reached at the address that was checked, and sent as Host.
    let exact = await runWithBridges(#"return http.get("\#(url)/echo"):json().host"#, grants: ["http:api.example.com"], http: pointed)
    #expect(exact.result == "\"api.example.com:\(port)\"", "\(exact.error ?? "")")
    let localhost = await runWithBridges(#"return http.get("http://localhost:\#(port)/hello").body"#, grants: ["http:localhost"])
    #expect(localhost.result == "\"hello\"", "\(localhost.error ?? "")")
  }

  @Test("a request that outlives the run's deadline ends the run as a timeout")
  func runTimeout() async throws {
    let base = try await TestServer.base()
    let (outcome, seconds) = await timedRunWithBridges(#"http.get("\#(base)/slow?seconds=5")"#, grants: local, wallTime: 1)
    #expect(outcome.status == .timeout)
    #expect(seconds < 2)
  }

  @Test("a shorter timeout of the script's own is an error it can catch")
  func ownTimeout() async throws {
    let base = try await TestServer.base()
    let outcome = await runWithBridges(
      """
      local ok, err = pcall(http.get, "\(base)/slow?seconds=5", { timeout = 0.5 })
      return { ok = ok, err = err }
      """, grants: local)
    #expect(outcome.status == .success, "\(outcome.error ?? "")")
    let result = resultObject(outcome)
    #expect(result["ok"] as? Bool == false)
    #expect(result["err"] as? String == "http.get: GET \(base)/slow?seconds=5: timed out after 0.5s")
  }

  @Test("a refused connection is a one-line error naming the request")
  func connectionRefused() async {
    let outcome = await runWithBridges(#"http.request{ url = "http://127.0.0.1:1/" }"#, grants: local)
    #expect(outcome.status == .failed)
    #expect(outcome.error == "http.request: GET http://127.0.0.1:1/: connection refused")
  }

  @Test("https to a server that does not speak TLS is a one-line TLS error")
  func tlsFailure() async throws {
    let port = try await TestServer.port()
    let outcome = await runWithBridges(#"http.get("https://127.0.0.1:\#(port)/hello")"#, grants: local)
    #expect(outcome.error == "http.get: GET https://127.0.0.1:\(port)/hello: TLS handshake failed (WRONG_VERSION_NUMBER)")
  }

  @Test("a name that does not resolve is a one-line error naming the request")
  func unresolvable() async {
    let nowhere = HTTPClientBridge(resolver: { _ in .failure(BridgeError("name or service not known")) })
    let outcome = await runWithBridges(#"http.get("https://nowhere.example.com/x")"#, grants: ["http:nowhere.example.com"], http: nowhere)
    #expect(outcome.error == "http.get: GET https://nowhere.example.com/x: cannot resolve nowhere.example.com: name or service not known")
  }

  @Test("only http and https URLs are accepted, request bodies are capped, and unknown options are errors")
  func badRequests() async {
    let scheme = await runWithBridges(#"http.get("ftp://127.0.0.1/file")"#, grants: local)
    #expect(scheme.error == #"http.get: only http and https URLs are allowed, not "ftp://127.0.0.1/file""#)
    let large = await runWithBridges(#"http.post("http://127.0.0.1:1/", string.rep("x", 10 * 1024 * 1024 + 1))"#, grants: local)
    #expect(large.error == "http.post: request body larger than 10 MiB")
    let option = await runWithBridges(#"http.request{ url = "http://127.0.0.1/", timout = 3 }"#, grants: local)
    #expect(option.error?.hasSuffix("http.request: unknown option 'timout'") == true, "\(option.error ?? "")")
  }
}
