import CronppStore
import Foundation
import Testing

struct StateAndInstanceTests {
  @Test("task state sets, replaces, deletes, and is per task")
  func state() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    try temp.add("a")
    try temp.add("b")
    try temp.store.setState(of: "a", key: "cursor", value: "41")
    try temp.store.setState(of: "a", key: "cursor", value: "42")
    try temp.store.setState(of: "b", key: "cursor", value: #""other""#)
    #expect(try temp.store.state(of: "a", key: "cursor") == "42")
    #expect(try temp.store.state(of: "b", key: "cursor") == #""other""#)
    try temp.store.setState(of: "a", key: "cursor", value: nil)
    #expect(try temp.store.state(of: "a", key: "cursor") == nil)
  }

  @Test("state past 1 MiB per task is refused and the earlier value stays")
  func stateLimit() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    try temp.add("a")
    try temp.store.setState(of: "a", key: "blob", value: "small")
    let big = String(repeating: "x", count: Store.stateLimitBytes)
    #expect(throws: Store.StateError.overLimit(task: "a", bytes: big.utf8.count + 4)) {
      try temp.store.setState(of: "a", key: "blob", value: big)
    }
    #expect(try temp.store.state(of: "a", key: "blob") == "small")
  }

  @Test("state of an unknown task names the task")
  func unknownTask() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    #expect(throws: StoreError.taskNotFound("ghost")) { try temp.store.setState(of: "ghost", key: "k", value: "1") }
  }

  @Test("instances are live until their heartbeat goes stale")
  func instances() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    let t0 = TemporaryStore.now
    try temp.store.register(InstanceRecord(id: "i1", host: "h", pid: 1, version: "0.1.0", startedAt: t0))
    try temp.store.register(InstanceRecord(id: "i2", host: "h", pid: 2, version: "0.1.0", startedAt: t0))
    #expect(try temp.store.heartbeat("i2", at: t0.addingTimeInterval(30)))
    #expect(try !temp.store.heartbeat("nobody", at: t0))
    let live = try temp.store.liveInstances(at: t0.addingTimeInterval(40), staleAfter: 15)
    #expect(live.map(\.id) == ["i2"])
    try temp.store.unregister("i2")
    #expect(try temp.store.liveInstances(at: t0.addingTimeInterval(40), staleAfter: 15).isEmpty)
  }
}
