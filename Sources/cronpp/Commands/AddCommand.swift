import ArgumentParser
import CronppStore
import Foundation

struct AddCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "add",
    abstract: "Create a task.",
    discussion: "Needs --schedule and a body (--file or --lua). Everything is validated before the database is touched."
  )

  @OptionGroup var store: StoreOptions
  @Argument(help: ArgumentHelp("The task's name: 1-64 of a-z 0-9 - _ . (it also seeds H).", valueName: "name"))
  var name: String
  @OptionGroup var options: TaskSettingsOptions
  @Flag(help: "Create the task disabled.") var disabled = false
  @Flag var format: OutputFormat = .table

  func run() throws {
    guard options.schedule != nil else { throw CommandFailure.usage("--schedule is required", hint: "e.g. --schedule '*/15 * * * *'") }
    guard options.file != nil || options.lua != nil else { throw CommandFailure.usage("a body is required: pass --file PATH or --lua CODE") }
    do {
      try Store.validate(name: name)
      var settings = try options.settings()
      if disabled { settings.enabled = false }
      var task = TaskRecord(name: name, schedule: "", body: "", now: Date())
      try settings.apply(to: &task)
      let created = try store.open().create(task, actor: Actor.current)
      try TaskOutput.printChange(created, verb: "created", format: format)
    } catch {
      throw CommandFailure.wrap(error)
    }
  }
}
