import CronppStore
import Foundation

/// A store on a fresh temporary file with real migrations; removed by `cleanup()`.
struct TemporaryStore {
  let directory: URL
  let store: Store
  var path: String { store.path }

  init() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("cronpp-store-\(UUID().uuidString)")
    store = try Store(path: directory.appendingPathComponent("cronpp.sqlite").path)
  }

  func cleanup() { try? FileManager.default.removeItem(at: directory) }

  static let now = Date(timeIntervalSince1970: 1_780_000_000)

  @discardableResult
  func add(_ name: String, schedule: String = "*/5 * * * *", tags: [String] = []) throws -> TaskRecord {
    var task = TaskRecord(name: name, schedule: schedule, body: "return 1", now: Self.now)
    task.tags = tags
    task.timeZone = "UTC"
    return try store.create(task, actor: "tester", now: Self.now)
  }
}
