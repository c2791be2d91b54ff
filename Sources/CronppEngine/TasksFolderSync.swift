import CronppLua
import CronppStore
import Foundation

/// A tasks folder that could not be applied: a bad file, a Lua syntax error, or the store.
public struct TasksFolderError: Error, Sendable {
  public let message: String
  /// The file error, when a file is what is wrong (the CLI shows a caret for a setting).
  public let file: TaskFileError?
  public let store: StoreError?
}

/// `serve --tasks DIR`: the folder applied as `cronpp apply --prune DIR` would, every file
/// checked (header and Lua syntax) before anything is written.
public enum TasksFolderSync {
  public static func apply(_ path: String, to store: Store, now: Date = Date()) throws(TasksFolderError) -> ApplyPlan {
    let folder: TaskFolder
    do {
      folder = try TaskFolder(loading: path)
    } catch {
      throw TasksFolderError(message: error.description, file: error, store: nil)
    }
    for entry in folder.entries {
      if let problem = LuaRuntime.syntaxError(in: entry.file.settings.body ?? "", chunkName: entry.file.path) {
        throw TasksFolderError(message: problem, file: nil, store: nil)
      }
    }
    do {
      return try store.apply(folder, orphans: .remove, actor: Store.serveActor, now: now)
    } catch {
      throw TasksFolderError(message: error.description, file: nil, store: error)
    }
  }
}
