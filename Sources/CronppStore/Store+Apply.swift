import Foundation
import GRDB

/// The `*.lua` files of a tasks folder, read and validated before anything is written.
public struct TaskFolder: Sendable, Equatable {
  /// One task file and where it really lives.
  public struct Entry: Sendable, Equatable {
    public let file: TaskFile
    /// Absolute, symlinks resolved: what the store records as the task's source.
    public let resolvedPath: String
  }

  /// The folder as the user named it.
  public let path: String
  /// Absolute, symlinks resolved; `--prune` considers tasks whose source is directly in it.
  public let resolvedPath: String
  public let entries: [Entry]
  /// Files without `@task`, as named in messages (modules for `require`).
  public let skipped: [String]

  /// Reads the folder's `*.lua` files (not recursive, no dot files, sorted by name). The
  /// first bad file, in that order, is the error; a second file declaring a name already
  /// taken is an error naming both.
  public init(loading path: String) throws(TaskFileError) {
    let manager = FileManager.default
    var isDirectory: ObjCBool = false
    guard manager.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw TaskFileError(path, line: nil, "no such directory")
    }
    guard let resolved = Self.realPath(path), let names = try? manager.contentsOfDirectory(atPath: resolved) else {
      throw TaskFileError(path, line: nil, "cannot read the directory")
    }
    self.path = path
    resolvedPath = resolved
    let prefix = path.hasSuffix("/") ? path : path + "/"
    var entries: [Entry] = []
    var skipped: [String] = []
    var declared: [String: (path: String, line: Int)] = [:]
    for name in names.sorted() where name.hasSuffix(".lua") && !name.hasPrefix(".") {
      let shown = prefix + name
      guard let source = Self.realPath(resolved + "/" + name) else { throw TaskFileError(shown, line: nil, "cannot resolve the path") }
      guard (try? manager.attributesOfItem(atPath: source)[.type]) as? FileAttributeType == .typeRegular else { continue }
      guard let data = manager.contents(atPath: source) else { throw TaskFileError(shown, line: nil, "cannot read the file") }
      guard let text = String(validating: data, as: UTF8.self) else {
        throw TaskFileError(shown, line: Self.firstInvalidLine(in: data), "not UTF-8 text")
      }
      guard let file = try TaskFile.parse(text, path: shown) else {
        skipped.append(shown)
        continue
      }
      let line = file.lines[.task] ?? 1
      if let first = declared[file.name] {
        throw TaskFileError(shown, line: line, "@task \(file.name) is already declared in \(first.path):\(first.line)")
      }
      declared[file.name] = (shown, line)
      entries.append(Entry(file: file, resolvedPath: source))
    }
    self.entries = entries
    self.skipped = skipped
  }

  static func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
  }

  /// The 1-based line holding the first byte that is not UTF-8.
  private static func firstInvalidLine(in data: Data) -> Int {
    var line = 1
    var start = data.startIndex
    for (index, byte) in zip(data.indices, data) where byte == 0x0A {
      if String(validating: data[start...index], as: UTF8.self) == nil { return line }
      line += 1
      start = index + 1
    }
    return line
  }
}

/// What `apply` does with tasks managed from a folder whose files no longer declare them.
public enum OrphanPolicy: Sendable {
  /// Leave them (the default); the plan lists them as orphans.
  case keep
  /// Delete them (`--prune`).
  case remove
}

/// The changes that bring the store in line with a tasks folder.
public struct ApplyPlan: Sendable, Equatable {
  /// A task setting a file controls, named as the plan prints it.
  public enum Field: String, Sendable, CaseIterable, Codable {
    case schedule, tz, description, body, timeout, retries, backoff, overlap, missed
    case autoDisable = "auto-disable"
    case onFailure = "on-failure"
    case config, tags, capabilities, enabled, managed, source
  }

  public enum Action: Sendable, Equatable {
    case create
    case update([Field])
    case unchanged
    case remove
  }

  public struct Step: Sendable, Equatable {
    public let name: String
    /// The file as the user named it; `nil` for a removal.
    public let path: String?
    public let action: Action
    /// The task as stored now and as it will be stored; `nil` where there is none.
    let old: TaskRecord?
    let new: TaskRecord?
  }

  /// Creates, updates, unchanged tasks (each in file order), then removals by name.
  public let steps: [Step]
  /// Tasks managed from the folder that no file declares any more, kept (`OrphanPolicy.keep`).
  public let orphans: [String]
  /// Files without `@task`, skipped.
  public let skipped: [String]

  /// The plan for `folder` against the stored `tasks`, at `now` (for new next fires).
  public init(folder: TaskFolder, tasks: [TaskRecord], orphans policy: OrphanPolicy, now: Date) {
    let stored = Dictionary(tasks.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    var creates: [Step] = [], updates: [Step] = [], unchanged: [Step] = []
    for entry in folder.entries {
      let file = entry.file
      guard let old = stored[file.name] else {
        creates.append(Step(name: file.name, path: file.path, action: .create, old: nil, new: Self.created(from: entry, now: now)))
        continue
      }
      let new = Self.updated(old, from: entry, now: now)
      let fields = Field.allCases.filter { $0.differs(old, new) }
      if fields.isEmpty {
        unchanged.append(Step(name: file.name, path: file.path, action: .unchanged, old: old, new: old))
      } else {
        updates.append(Step(name: file.name, path: file.path, action: .update(fields), old: old, new: new))
      }
    }
    let declared = Set(folder.entries.map(\.file.name))
    let stale = tasks.filter { task in
      guard task.managed, !declared.contains(task.name), let source = task.sourcePath else { return false }
      return URL(fileURLWithPath: source).deletingLastPathComponent().path == URL(fileURLWithPath: folder.resolvedPath).path
    }.sorted { $0.name < $1.name }
    let removals = policy == .remove ? stale.map { Step(name: $0.name, path: nil, action: .remove, old: $0, new: nil) } : []
    steps = creates + updates + unchanged + removals
    orphans = policy == .keep ? stale.map(\.name) : []
    skipped = folder.skipped
  }

  public var creates: [Step] { steps.filter { $0.action == .create } }
  public var updates: [Step] { steps.filter { if case .update = $0.action { true } else { false } } }
  public var unchanged: [Step] { steps.filter { $0.action == .unchanged } }
  public var removals: [Step] { steps.filter { $0.action == .remove } }

  /// Whether applying would write anything.
  public var changesSomething: Bool { steps.contains { $0.action != .unchanged } }

  /// A new task with every setting the file declares and defaults for the rest.
  static func created(from entry: TaskFolder.Entry, now: Date) -> TaskRecord {
    var task = TaskRecord(name: entry.file.name, schedule: "", body: "", now: now)
    // TaskFile.parse applied these settings to a blank task already, so this cannot fail.
    try? entry.file.settings.apply(to: &task)
    task.capabilities = entry.file.capabilities
    task.sourcePath = entry.resolvedPath
    task.managed = true
    task.nextRunAt = Store.nextRun(of: task, after: now)
    return task
  }

  /// `old` with every file-controlled setting taken from the file: a setting the file leaves
  /// out goes back to its default. Counters, `locked`, `id` and `createdAt` stay, and so
  /// does `enabled` unless the file's `@disabled` line changed.
  static func updated(_ old: TaskRecord, from entry: TaskFolder.Entry, now: Date) -> TaskRecord {
    let wanted = created(from: entry, now: now)
    var task = old
    (task.description, task.schedule, task.timeZone, task.body) = (wanted.description, wanted.schedule, wanted.timeZone, wanted.body)
    (task.timeoutSeconds, task.retries, task.overlap, task.missed) = (wanted.timeoutSeconds, wanted.retries, wanted.overlap, wanted.missed)
    (task.backoffBaseSeconds, task.backoffCapSeconds) = (wanted.backoffBaseSeconds, wanted.backoffCapSeconds)
    (task.autoDisableAfter, task.config, task.tags, task.capabilities) = (wanted.autoDisableAfter, wanted.config, wanted.tags, wanted.capabilities)
    (task.managed, task.sourcePath, task.onFailure) = (wanted.managed, wanted.sourcePath, wanted.onFailure)
    // The stored body is the file as last applied: `@disabled` counts when it was added or
    // removed since, so `cronpp disable` and auto-disable outlast unrelated applies.
    let enabledByLastFile = !TaskFile.header(of: old.body).contains { $0.name == TaskAnnotation.disabled.rawValue && !$0.unspaced }
    if !old.managed || enabledByLastFile != wanted.enabled { task.enabled = wanted.enabled }
    if task.schedule != old.schedule || task.timeZone != old.timeZone || task.enabled != old.enabled {
      task.nextRunAt = Store.nextRun(of: task, after: now)
    }
    if task != old { task.updatedAt = now }
    return task
  }
}

extension ApplyPlan.Field {
  func differs(_ a: TaskRecord, _ b: TaskRecord) -> Bool {
    switch self {
    case .schedule: a.schedule != b.schedule
    case .tz: a.timeZone != b.timeZone
    case .description: a.description != b.description
    case .body: a.body != b.body
    case .timeout: a.timeoutSeconds != b.timeoutSeconds
    case .retries: a.retries != b.retries
    case .backoff: a.backoffBaseSeconds != b.backoffBaseSeconds || a.backoffCapSeconds != b.backoffCapSeconds
    case .overlap: a.overlap != b.overlap
    case .missed: a.missed != b.missed
    case .autoDisable: a.autoDisableAfter != b.autoDisableAfter
    case .onFailure: a.onFailure != b.onFailure
    case .config: a.config != b.config
    case .tags: a.tags != b.tags
    case .capabilities: a.capabilities != b.capabilities
    case .enabled: a.enabled != b.enabled
    case .managed: a.managed != b.managed
    case .source: a.sourcePath != b.sourcePath
    }
  }
}

extension Store {
  /// The plan for `folder` against the store as it is; writes nothing (`--dry-run`).
  public func plan(_ folder: TaskFolder, orphans: OrphanPolicy, now: Date = Date()) throws(StoreError) -> ApplyPlan {
    try read { db in ApplyPlan(folder: folder, tasks: try TaskRecord.fetchAll(db), orphans: orphans, now: now) }
  }

  /// Plans and carries out the plan in one transaction, each change audited as "apply".
  /// A plan of only unchanged tasks writes nothing, so a repeated apply is a no-op.
  @discardableResult
  public func apply(_ folder: TaskFolder, orphans: OrphanPolicy, actor: String, now: Date = Date()) throws(StoreError) -> ApplyPlan {
    try write { db in
      let plan = ApplyPlan(folder: folder, tasks: try TaskRecord.fetchAll(db), orphans: orphans, now: now)
      for step in plan.steps {
        switch step.action {
        case .unchanged:
          continue
        case .create:
          guard var task = step.new else { continue }
          try task.insert(db)
        case .update:
          guard let task = step.new else { continue }
          try task.update(db)
        case .remove:
          guard let task = step.old else { continue }
          try task.delete(db)
        }
        try Self.audit(db, action: "apply", task: step.name, old: step.old, new: step.new, actor: actor, at: now)
      }
      return plan
    }
  }
}
