import ArgumentParser
import CronppStore
import Foundation

struct RemoveCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rm",
    abstract: "Delete a task and its run history.",
    discussion: "Asks for confirmation on a terminal; elsewhere --yes is required. A locked task is refused."
  )

  @OptionGroup var store: StoreOptions
  @Argument(help: ArgumentHelp("The task to delete.", valueName: "name")) var name: String
  @Flag(name: [.customShort("y"), .long], help: "Delete without asking.") var yes = false

  func run() throws {
    do {
      let store = try store.open(holding: name)
      let task = try store.task(named: name)
      if task.locked { throw StoreError.taskLocked(name) }
      if !yes {
        guard isatty(STDIN_FILENO) == 1 else {
          throw CommandFailure.usage("not deleting '\(name)' without confirmation", hint: "pass --yes to delete it and its run history")
        }
        FileHandle.standardError.write(Data("delete task '\(name)' and its run history? [y/N] ".utf8))
        guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
          print("kept \(name)")
          return
        }
      }
      try store.delete(name, actor: Actor.current)
      print("deleted \(name)")
    } catch {
      throw CommandFailure.wrap(error)
    }
  }
}
