import CronppEngine
import CronppLua
import CronppStore
import Foundation

/// A scratch folder per test, removed when the value goes.
final class Scratch {
  let path: String

  init() {
    path = NSTemporaryDirectory() + "cronpp-engine-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  func file(_ name: String) -> String { path + "/" + name }

  func write(_ name: String, _ text: String) {
    let url = URL(fileURLWithPath: file(name))
    try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try? text.write(to: url, atomically: true, encoding: .utf8)
  }

  /// Every file below the folder with its size: what "nothing on disk changed" compares.
  var listing: [String: Int] {
    var result: [String: Int] = [:]
    let enumerator = FileManager.default.enumerator(atPath: path)
    while let name = enumerator?.nextObject() as? String {
      result[name] = (try? FileManager.default.attributesOfItem(atPath: file(name))[.size] as? Int) ?? -1
    }
    return result
  }
}

/// Runs `source` as a script with `grants` against a data database at `data`.
func runScript(
  _ source: String, grants: [String] = [], data: String? = nil, store: Store? = nil, task: TaskRecord? = nil,
  modulesRoot: String? = nil, limits: LuaLimits = LuaLimits(wallTime: 5), environment: [String: String] = [:]
) throws -> TaskRun {
  let runner = TaskRunner(host: RunHost(store: store, dataPath: data, environment: environment))
  let lua = LuaTask(name: task?.name ?? "test", source: source, chunkName: "test.lua", config: task?.config ?? "{}", grants: grants, modulesRoot: modulesRoot, limits: limits)
  return try runner.run(lua, recordAs: task)
}
