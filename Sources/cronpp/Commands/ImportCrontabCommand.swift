import ArgumentParser
import CronppStore
import Foundation

struct ImportCrontabCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import-crontab",
    abstract: "Turn every line of a crontab into a task.",
    discussion: """
      Each entry becomes a task that runs its command with /bin/sh -c (granted exec), tagged \
      'imported'. CRON_TZ and TZ set the zone of the lines below them; other variables go to \
      each task's config as {"env": {...}}. Lines that cannot be imported are reported and \
      skipped; the rest are created in one transaction. Exit 2 when the file is unreadable or \
      has no valid entry.
      """
  )

  @OptionGroup var store: StoreOptions
  @Argument(help: ArgumentHelp("The crontab to read (as 'crontab -l' prints it, or /etc/crontab with --system).", valueName: "file"))
  var file: String
  @Option(help: ArgumentHelp("Start every task name with this (1-32 of a-z 0-9 - _ .); a '-' joins it to the name.", valueName: "name"))
  var prefix: String?
  @Flag(help: "Read a system crontab (/etc/crontab, /etc/cron.d/*): a user name between the schedule and the command.")
  var system = false
  @Flag(name: .customLong("dry-run"), help: "Report what would be imported; write nothing.")
  var dryRun = false
  @Flag var format: OutputFormat = .table

  func run() throws {
    // Checked here, not in validate(): argument-parser rewraps what validate() throws.
    if let prefix, !Crontab.TaskNamer.isValid(prefix: prefix) {
      throw CommandFailure.usage("--prefix: '\(prefix)' is not a name prefix: use 1-32 of a-z 0-9 - _ ., starting with a letter or digit")
    }
    let text = try read()
    let crontab = Crontab(parsing: text, format: system ? .system : .user)
    do {
      // A dry run against a database that does not exist yet leaves it uncreated, and a
      // file with no entry never opens it.
      let untouched = crontab.entries.isEmpty || (dryRun && !FileManager.default.fileExists(atPath: store.resolvedPath))
      let database = untouched ? nil : try store.open()
      let existing = Set(try database?.tasks().map(\.name) ?? [])
      let plan = CrontabImport(crontab, file: file, prefix: prefix, existingNames: existing, now: Date())
      if !dryRun, let database, !plan.tasks.isEmpty {
        try database.create(plan.tasks, actor: Actor.current)
      }
      try render(plan)
      guard !plan.tasks.isEmpty else {
        let missingCommands = plan.outcomes.contains { if case .skipped(_, .noCommand) = $0 { true } else { false } }
        throw CommandFailure.usage(
          "nothing to import: \(file) has no valid crontab entry",
          hint: system && missingCommands ? "a user crontab (crontab -l) has no user column: leave out --system" : nil)
      }
    } catch {
      throw CommandFailure.wrap(error)
    }
  }

  /// The file as UTF-8 text; anything else is exit 2.
  private func read() throws -> String {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue else {
      throw CommandFailure.usage("cannot read \(file): \(isDirectory.boolValue ? "it is a directory" : "no such file")")
    }
    guard let data = FileManager.default.contents(atPath: file) else {
      throw CommandFailure.usage("cannot read \(file): permission denied or an I/O error")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw CommandFailure.usage("cannot read \(file) as UTF-8 text")
    }
    return text
  }

  /// One report line per crontab line, as JSON for scripts; fields that do not apply are absent.
  struct LineJSON: Encodable {
    enum Kind: String, Encodable { case imported, env, skipped }
    let line: Int
    let kind: Kind
    var task, schedule, timeZone, user, command: String?
    var name, value: String?
    var reason: String?
    var warnings: [String]?
  }

  struct ReportJSON: Encodable {
    let file: String
    let dryRun: Bool
    let imported, skipped: Int
    let lines: [LineJSON]
  }

  private func render(_ plan: CrontabImport) throws {
    let lines = plan.outcomes.map { outcome -> LineJSON in
      switch outcome {
      case .imported(let entry, let task):
        LineJSON(
          line: entry.line, kind: .imported, task: task.name, schedule: task.schedule, timeZone: task.timeZone, user: entry.user,
          command: entry.command, warnings: Self.texts(entry.warnings))
      case .variable(let variable):
        LineJSON(line: variable.line, kind: .env, name: variable.name, value: variable.value, warnings: Self.texts(variable.warnings))
      case .skipped(let line, let problem):
        LineJSON(line: line, kind: .skipped, reason: problem.description)
      }
    }
    let report = ReportJSON(file: file, dryRun: dryRun, imported: plan.tasks.count, skipped: plan.skippedCount, lines: lines)
    switch format {
    case .json:
      try JSONOutput.print(report, pretty: true)
    case .table:
      print(table(report), terminator: "")
    }
  }

  /// The warnings' messages; `nil` (no key in the JSON) when there are none.
  private static func texts(_ warnings: [CrontabWarning]) -> [String]? {
    warnings.isEmpty ? nil : warnings.map(\.description)
  }

  /// `imported  3  backup-db  0 2 * * *`, `skipped  5  reason`, `env  1  NAME=value`, each
  /// warning on a `warning  LINE  text` line under its line, then the summary.
  private func table(_ report: ReportJSON) -> String {
    var text = ""
    for line in report.lines {
      switch line.kind {
      case .imported:
        let zone = line.timeZone.map { "  (\($0))" } ?? ""
        text += "imported  \(line.line)  \(line.task ?? "")  \(line.schedule ?? "")\(zone)\n"
      case .env:
        text += "env  \(line.line)  \(line.name ?? "")=\(line.value ?? "")\n"
      case .skipped:
        text += "skipped  \(line.line)  \(line.reason ?? "")\n"
      }
      for warning in line.warnings ?? [] { text += "warning  \(line.line)  \(warning)\n" }
    }
    let tasks = report.imported == 1 ? "1 task" : "\(report.imported) tasks"
    let skipped = report.skipped == 1 ? "1 line skipped" : "\(report.skipped) lines skipped"
    text += "\(report.dryRun ? "would import" : "imported") \(tasks) from \(report.file) (\(skipped))\n"
    return text
  }
}
