import CronppLua
import CronppStore

/// A task's `kv` state, kept in the cronpp store.
public struct StoreTaskState: TaskState {
  let store: Store
  let task: String

  public init(store: Store, task: String) { (self.store, self.task) = (store, task) }

  public func get(_ key: String) throws(BridgeError) -> String? {
    do { return try store.state(of: task, key: key) } catch { throw Self.bridgeError(error) }
  }

  public func set(_ key: String, json: String) throws(BridgeError) {
    do { try store.setState(of: task, key: key, value: json) } catch { throw Self.bridgeError(error) }
  }

  public func delete(_ key: String) throws(BridgeError) {
    do { try store.setState(of: task, key: key, value: nil) } catch { throw Self.bridgeError(error) }
  }

  static func bridgeError(_ error: Error) -> BridgeError {
    if case Store.StateError.overLimit(_, let bytes) = error {
      return BridgeError("the task's state would take \(bytes) bytes, over the \(Store.stateLimitBytes)-byte limit")
    }
    return BridgeError("\(error)")
  }
}
