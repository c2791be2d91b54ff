import ArgumentParser
import CronppStore
import Foundation

/// `enable`, `disable`, `lock` and `unlock`: one switch on one or more tasks, all or none.
protocol TaskSwitchCommand: ParsableCommand {
  var store: StoreOptions { get }
  var names: [String] { get }
  /// The action as audited and printed ("enabled", ...).
  static var verb: String { get }
  /// Whether a locked task refuses this switch (only apply and unlock may touch it).
  static var respectsLock: Bool { get }
  static func change(_ task: inout TaskRecord)
}

extension TaskSwitchCommand {
  func run() throws {
    do {
      var unique: [String] = []
      for name in names where !unique.contains(name) { unique.append(name) }
      let store = try store.open(holding: unique[0])
      if Self.respectsLock {
        for name in unique where try store.task(named: name).locked { throw StoreError.taskLocked(name) }
      }
      let changed = try store.update(unique, action: Self.configuration.commandName ?? Self.verb, actor: Actor.current) { Self.change(&$0) }
      for task in changed { print("\(Self.verb) \(task.name)") }
    } catch {
      throw CommandFailure.wrap(error)
    }
  }
}

struct EnableCommand: TaskSwitchCommand {
  static let configuration = CommandConfiguration(commandName: "enable", abstract: "Let tasks fire on their schedule again.")
  @OptionGroup var store: StoreOptions
  @Argument(help: ArgumentHelp("Tasks to enable.", valueName: "name")) var names: [String]
  static let verb = "enabled"
  static let respectsLock = true
  static func change(_ task: inout TaskRecord) { task.enabled = true }
}

struct DisableCommand: TaskSwitchCommand {
  static let configuration = CommandConfiguration(commandName: "disable", abstract: "Stop tasks from firing; history and settings stay.")
  @OptionGroup var store: StoreOptions
  @Argument(help: ArgumentHelp("Tasks to disable.", valueName: "name")) var names: [String]
  static let verb = "disabled"
  static let respectsLock = true
  static func change(_ task: inout TaskRecord) { task.enabled = false }
}

struct LockCommand: TaskSwitchCommand {
  static let configuration = CommandConfiguration(commandName: "lock", abstract: "Protect tasks from edit, enable, disable and rm (apply may still change them).")
  @OptionGroup var store: StoreOptions
  @Argument(help: ArgumentHelp("Tasks to lock.", valueName: "name")) var names: [String]
  static let verb = "locked"
  static let respectsLock = false
  static func change(_ task: inout TaskRecord) { task.locked = true }
}

struct UnlockCommand: TaskSwitchCommand {
  static let configuration = CommandConfiguration(commandName: "unlock", abstract: "Allow changes to locked tasks again.")
  @OptionGroup var store: StoreOptions
  @Argument(help: ArgumentHelp("Tasks to unlock.", valueName: "name")) var names: [String]
  static let verb = "unlocked"
  static let respectsLock = false
  static func change(_ task: inout TaskRecord) { task.locked = false }
}
