import ArgumentParser
import Foundation

@main
struct Cronpp: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "A job scheduler: cron expressions, Lua task bodies, run history in SQLite.",
    discussion: """
      Exit status: 0 success, 1 a task run failed, 2 bad usage or input, \
      3 an environment problem. See man cronpp(1) and cronpp-schedule(5).
      """,
    version: CronppVersion.current,
    subcommands: [
      NextCommand.self,
      ExplainCommand.self,
      AddCommand.self,
      EditCommand.self,
      RemoveCommand.self,
      EnableCommand.self,
      DisableCommand.self,
      LockCommand.self,
      UnlockCommand.self,
      LsCommand.self, ShowCommand.self, LogsCommand.self, PruneCommand.self,
      ImportCrontabCommand.self,
      ApplyCommand.self,
      RunCommand.self,
      ServeCommand.self,
      StatusCommand.self,
    ]
  )

  /// Runs a command and maps every error to the exit-code contract (DESIGN.md section 3):
  /// argument-parser's own usage errors exit 2 here, not 64.
  static func main() {
    let command: ParsableCommand
    do {
      command = try parseAsRoot()
    } catch {
      exit(reporting: error)
    }
    do {
      var command = command
      try command.run()
    } catch {
      exit(reporting: error)
    }
  }

  private static func exit(reporting error: Error) -> Never {
    if let failure = error as? CommandFailure {
      FileHandle.standardError.write(Data(failure.rendered.utf8))
      Foundation.exit(failure.exitCode)
    }
    let code = exitCode(for: error)
    if code == .success {
      print(fullMessage(for: error))
      Foundation.exit(0)
    }
    if error is ExitCode { Foundation.exit(code.rawValue) }
    let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
    let failure = CommandFailure.usage(message.replacingOccurrences(of: "Error: ", with: ""), hint: "see 'cronpp --help' or 'man cronpp'")
    FileHandle.standardError.write(Data(failure.rendered.utf8))
    Foundation.exit(failure.exitCode)
  }
}

enum CronppVersion {
  static let current = "0.1.0"
}
