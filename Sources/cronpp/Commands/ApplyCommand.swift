import ArgumentParser
import CronppLua
import CronppStore
import Foundation

struct ApplyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "apply",
    abstract: "Sync a folder of Lua task files into the store (tasks as code).",
    discussion: """
      Reads DIR/*.lua, whose '--- @task' and '--- @schedule' header lines declare tasks, \
      validates every file, then creates, updates (and with --prune removes) tasks in one \
      transaction. See cronpp-apply(1) for the header format.
      """
  )

  @OptionGroup var store: StoreOptions
  @Argument(help: ArgumentHelp("The folder of *.lua task files (not searched recursively).", valueName: "dir"))
  var directory: String
  @Flag(name: .customLong("dry-run"), help: "Print the plan and change nothing.")
  var dryRun = false
  @Flag(help: "Remove tasks applied from this folder whose files no longer declare them.")
  var prune = false
  @Flag var format: OutputFormat = .table

  func run() throws {
    let folder: TaskFolder
    do {
      folder = try TaskFolder(loading: directory)
    } catch {
      throw CommandFailure.taskFile(error)
    }
    for entry in folder.entries {
      if let problem = LuaRuntime.syntaxError(in: entry.file.settings.body ?? "", chunkName: entry.file.path) {
        throw CommandFailure.usage(problem, hint: "fix the file; nothing was applied")
      }
    }
    let orphans: OrphanPolicy = prune ? .remove : .keep
    let plan: ApplyPlan
    do {
      if dryRun {
        // A dry run against a database that does not exist yet must not create it.
        let path = store.resolvedPath
        plan = FileManager.default.fileExists(atPath: path)
          ? try store.open().plan(folder, orphans: orphans)
          : ApplyPlan(folder: folder, tasks: [], orphans: orphans, now: Date())
      } else {
        plan = try store.open().apply(folder, orphans: orphans, actor: Actor.current)
      }
    } catch {
      throw CommandFailure.wrap(error)
    }
    Self.note(plan)
    switch format {
    case .json: try JSONOutput.print(PlanJSON(plan, applied: !dryRun), pretty: false)
    case .table: print(Self.render(plan, applied: !dryRun), terminator: "")
    }
  }

  /// Skipped files and orphans go to stderr: they are diagnostics, not the plan.
  static func note(_ plan: ApplyPlan) {
    var text = ""
    for path in plan.skipped { text += "cronpp: note: \(path) has no @task line; skipped (a module for require?)\n" }
    if !plan.orphans.isEmpty {
      let names = plan.orphans.joined(separator: ", ")
      text += "cronpp: note: no file declares \(names) any more; --prune removes \(plan.orphans.count == 1 ? "it" : "them")\n"
    }
    FileHandle.standardError.write(Data(text.utf8))
  }

  /// One line per task (`create  name  (path)`, `update  name  schedule, timeout`,
  /// `unchanged  name`, `remove  name`), then the counts.
  static func render(_ plan: ApplyPlan, applied: Bool) -> String {
    var text = ""
    for step in plan.steps {
      switch step.action {
      case .create: text += "create  \(step.name)  (\(step.path ?? ""))\n"
      case .update(let fields): text += "update  \(step.name)  \(fields.map(\.rawValue).joined(separator: ", "))\n"
      case .unchanged: text += "unchanged  \(step.name)\n"
      case .remove: text += "remove  \(step.name)\n"
      }
    }
    let (created, updated, unchanged, removed) = (plan.creates.count, plan.updates.count, plan.unchanged.count, plan.removals.count)
    if applied {
      text += "applied: \(created) created, \(updated) updated, \(unchanged) unchanged, \(removed) removed\n"
    } else {
      text += "plan only (--dry-run): \(created) to create, \(updated) to update, \(unchanged) unchanged, \(removed) to remove\n"
    }
    return text
  }

  /// `{"applied":true,"create":[…],"remove":[…],"unchanged":[…],"update":[{"fields":[…],"name":…}]}`
  struct PlanJSON: Encodable {
    struct Update: Encodable {
      let name: String
      let fields: [String]
    }

    let create: [String]
    let update: [Update]
    let unchanged: [String]
    let remove: [String]
    let applied: Bool

    init(_ plan: ApplyPlan, applied: Bool) {
      var (create, update, unchanged, remove) = ([String](), [Update](), [String](), [String]())
      for step in plan.steps {
        switch step.action {
        case .create: create.append(step.name)
        case .update(let fields): update.append(Update(name: step.name, fields: fields.map(\.rawValue)))
        case .unchanged: unchanged.append(step.name)
        case .remove: remove.append(step.name)
        }
      }
      (self.create, self.update, self.unchanged, self.remove, self.applied) = (create, update, unchanged, remove, applied)
    }
  }
}

extension CommandFailure {
  /// `FILE:LINE: @schedule: …`, with the expression and a caret for a bad schedule.
  static func taskFile(_ error: TaskFileError) -> CommandFailure {
    if let setting = error.setting {
      return .setting(setting, prefix: "\(error.path)\(error.line.map { ":\($0)" } ?? ""): @")
    }
    return .usage(error.description)
  }
}
