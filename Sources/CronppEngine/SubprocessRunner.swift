import CronppLua
import Foundation
import Subprocess
import Synchronization

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// The `exec` bridge on swift-subprocess: no shell, a minimal environment, capped output,
/// and a time limit that takes down everything the program started.
///
/// The child leads a session (and so a process group) of its own. At the time limit the
/// whole group gets SIGTERM, then SIGKILL a moment later; and when the program ends, on time
/// or not, whatever it left running in its group is killed too, so nothing a run started
/// outlives it. A program that starts a session of its own escapes the group; the bridge does
/// not claim to contain that.
///
/// swift-subprocess is asynchronous, and the run's thread blocks on it. Its tasks run on a
/// queue of their own rather than Swift's cooperative pool, at high priority for the few it
/// starts there itself, and the time limit is enforced from the run's thread with plain
/// signals, so none of it waits behind callers blocking the pool in synchronous code.
public struct SubprocessRunner: ProcessRunner {
  /// Host variables the child sees, when they are set; `ExecRequest.environment` adds to them.
  public static let inheritedVariables = ["PATH", "HOME", "LANG", "TZ"]
  /// Between SIGTERM and SIGKILL at the time limit: enough for a program to flush and exit.
  static let terminationGrace: TimeInterval = 0.25

  private let inherited: [String: String]

  /// `hostEnvironment` is where the inherited variables come from (tests pass their own).
  public init(hostEnvironment: [String: String] = ProcessInfo.processInfo.environment) {
    inherited = hostEnvironment.filter { Self.inheritedVariables.contains($0.key) }
  }

  public func run(_ request: ExecRequest) throws(BridgeError) -> ExecResult {
    guard let program = request.arguments.first, !program.isEmpty else { throw BridgeError("expects a program to run") }
    let configuration = try configuration(for: request, program: program)
    let (limit, timeout) = (request.maxOutputBytes, max(request.timeout, 0))
    let group = ProcessGroup()
    let wait = BlockingWait<Outcome>()
    // High priority: swift-subprocess starts unstructured tasks of its own, which take no
    // executor preference and run on Swift's shared pool; there they go ahead of
    // default-priority work that may be holding its few threads.
    let task = Task(executorPreference: QueueExecutor(), priority: .high) {
      wait.finish(await Self.execute(configuration, group: group, limit: limit))
    }
    guard let outcome = wait.wait(timeout: timeout) else {
      Self.stop(group, task: task, wait: wait)
      throw BridgeError("\(program) timed out after \(secondsText(timeout)); its process group was killed", timedOut: true)
    }
    // Whatever the program left running in its group goes with it.
    group.send(SIGKILL)
    switch outcome {
    case .finished(let result):
      return result
    case .failed(let error):
      throw BridgeError(Self.describe(error, program: program, directory: request.workingDirectory))
    }
  }

  /// SIGTERM to the group, SIGKILL if the child outlasts the grace period, then cancelling
  /// the task lets swift-subprocess reap the child (and, for a child not yet started when the
  /// limit came, play its own teardown on the group).
  private static func stop(_ group: ProcessGroup, task: Task<Void, Never>, wait: BlockingWait<Outcome>) {
    group.send(SIGTERM)
    let ended = wait.wait(timeout: terminationGrace) != nil
    if !ended { group.send(SIGKILL) }
    task.cancel()
    // Bounded: a child stuck in the kernel is left to swift-subprocess to reap later.
    if !ended { _ = wait.wait(timeout: terminationGrace) }
    group.send(SIGKILL)
  }

  private func configuration(for request: ExecRequest, program: String) throws(BridgeError) -> Configuration {
    var environment: [Environment.Key: String] = [:]
    for (name, value) in inherited.merging(request.environment, uniquingKeysWith: { $1 }) {
      guard !name.isEmpty, !name.contains("="), !name.contains("\0"), !value.contains("\0"), let key = Environment.Key(rawValue: name) else {
        throw BridgeError("the environment variable \(name.debugDescription) cannot be set")
      }
      environment[key] = value
    }
    if let argument = request.arguments.first(where: { $0.contains("\0") }) {
      throw BridgeError("the argument \(argument.debugDescription) contains a NUL byte")
    }
    // A name is looked up on the child's PATH; a relative path is taken from the child's
    // working directory, which is where a script's author would expect it.
    let executable: Executable
    if program.contains("/") {
      var path = FilePath(program)
      if path.isRelative { path = FilePath(request.workingDirectory ?? FileManager.default.currentDirectoryPath).pushing(path) }
      executable = .path(path)
    } else {
      executable = .name(program)
    }
    var options = PlatformOptions()
    options.createSession = true
    options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: .milliseconds(Int(Self.terminationGrace * 1000)))]
    return Configuration(
      executable: executable, arguments: Arguments(Array(request.arguments.dropFirst())), environment: .custom(environment),
      workingDirectory: request.workingDirectory.map { FilePath($0) }, platformOptions: options)
  }

  private enum Outcome: Sendable {
    case finished(ExecResult)
    case failed(any Error)
  }

  private static func execute(_ configuration: Configuration, group: ProcessGroup, limit: Int) async -> Outcome {
    do {
      let result = try await Subprocess.run(configuration, input: .none, output: .sequence, error: .sequence) { execution in
        group.leader = execution.processIdentifier.value
        async let stdout = collect(execution.standardOutput, limit: limit)
        async let stderr = collect(execution.standardError, limit: limit)
        return try await (stdout, stderr)
      }
      let code: Int32 =
        switch result.terminationStatus {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
      return .finished(ExecResult(code: code, stdout: result.closureResult.0, stderr: result.closureResult.1))
    } catch {
      return .failed(error)
    }
  }

  /// Keeps the first `limit` bytes and reads on past them, so a chatty child never blocks
  /// on a full pipe.
  private static func collect(_ output: SubprocessOutputSequence, limit: Int) async throws -> [UInt8] {
    var kept: [UInt8] = []
    for try await buffer in output {
      let room = limit - kept.count
      guard room > 0 else { continue }
      buffer.withUnsafeBytes { kept.append(contentsOf: $0.prefix(room)) }
    }
    return kept
  }

  private static func describe(_ error: any Error, program: String, directory: String?) -> String {
    guard let error = error as? SubprocessError else { return "\(program): \(error)" }
    switch error.code {
    case .executableNotFound:
      return program.contains("/") ? "\(program): no such program" : "\(program): not found on PATH"
    case .failedToChangeWorkingDirectory:
      return "cannot change to the directory \(directory ?? "")" + (error.underlyingError.map { " (\($0))" } ?? "")
    case .spawnFailed:
      return "\(program): cannot be started" + (error.underlyingError.map { " (\($0))" } ?? "")
    default:
      return "\(program): \(error)"
    }
  }
}

/// The child's process group, named by its leader's pid once the child has started.
private final class ProcessGroup: Sendable {
  private let pid = Atomic<Int32>(0)

  var leader: pid_t {
    get { pid.load(ordering: .acquiring) }
    set { pid.store(newValue, ordering: .releasing) }
  }

  /// Signals every process left in the group. The group id stays reserved while any member
  /// lives, so it cannot name someone else's group unless all members are gone and the pid
  /// space has wrapped around in between, which is not a practical risk.
  func send(_ signal: Int32) {
    let leader = self.leader
    guard leader > 1 else { return }
    _ = kill(-leader, signal)
  }
}

/// Runs one exec call's tasks on a serial queue of its own, which Dispatch gives a thread
/// of its own, instead of Swift's width-limited cooperative pool.
private final class QueueExecutor: TaskExecutor {
  private let queue = DispatchQueue(label: "cronpp-exec")

  func enqueue(_ job: consuming ExecutorJob) {
    let job = UnownedJob(job)
    queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
  }
}
