import ArgumentParser
import CronppStore
import Foundation

struct EditCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "edit",
    abstract: "Change a task's settings.",
    discussion: """
      Options left out keep their values. A task managed by 'cronpp apply' or locked is refused: \
      change its file and apply it, or pass --force (the audit log records it).
      """
  )

  @OptionGroup var store: StoreOptions
  @Argument(help: ArgumentHelp("The task to change.", valueName: "name")) var name: String
  @OptionGroup var options: TaskSettingsOptions
  @Flag(help: "Change a managed or locked task anyway (audited as 'edit --force').") var force = false
  @Flag var format: OutputFormat = .table

  func run() throws {
    do {
      let settings = try options.settings()
      guard settings != TaskSettings() else {
        throw CommandFailure.usage("nothing to change", hint: "pass at least one option, e.g. --schedule or --timeout (see cronpp edit --help)")
      }
      let store = try store.open(holding: name)
      var preview = try store.task(named: name)
      if !force {
        if preview.locked { throw StoreError.taskLocked(name) }
        if preview.managed { throw StoreError.taskManaged(name, source: preview.sourcePath) }
      }
      try settings.apply(to: &preview)
      let edited = try store.update(name, action: force ? "edit --force" : "edit", actor: Actor.current) { task in
        // Validated above on the same settings; applying cannot fail differently.
        try? settings.apply(to: &task)
      }
      try TaskOutput.printChange(edited, verb: "edited", format: format)
    } catch {
      throw CommandFailure.wrap(error)
    }
  }
}
