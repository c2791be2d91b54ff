import ArgumentParser
import CronppEngine
import CronppSchedule
import CronppStore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

struct ServeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Run the scheduler in the foreground: fire every enabled task on time.",
    discussion: """
      Claims each fire with one conditional UPDATE (safe with several instances on one \
      database), records every run, and logs one line per event on stdout. SIGTERM or \
      SIGINT stops claiming and lets running runs finish for --grace; a second signal \
      exits at once. See cronpp-serve(1).
      """
  )

  @OptionGroup var store: StoreOptions
  @OptionGroup var data: DataOptions
  @Option(help: ArgumentHelp("Apply this folder of *.lua task files at start, as 'cronpp apply --prune' does.", valueName: "dir"))
  var tasks: String?
  @Flag(help: "With --tasks: apply the folder again when a *.lua file in it changes.")
  var watch = false
  @Option(help: ArgumentHelp("Threads that run tasks (1-256).", valueName: "n"))
  var workers = 8
  @Option(help: ArgumentHelp("How long running runs may finish after SIGTERM before they are abandoned.", valueName: "duration"))
  var grace = "30s"
  @Option(help: ArgumentHelp("Prune finished runs older than this, at start and hourly (0 keeps all).", valueName: "duration"))
  var retention = "90d"
  @Option(name: .customLong("log-format"), help: ArgumentHelp("One line per event as text (logfmt) or json.", valueName: "text|json"))
  var logFormat: ServeLogFormat = .text

  func validate() throws {
    guard (1...256).contains(workers) else { throw ValidationError("--workers: \(workers) is out of range 1-256") }
    if watch && tasks == nil { throw ValidationError("--watch needs --tasks DIR (the folder to watch)") }
    _ = try Self.seconds(grace, option: "grace")
    _ = try Self.seconds(retention, option: "retention")
  }

  static func seconds(_ text: String, option: String) throws -> TimeInterval {
    if text == "0" { return 0 }
    guard let seconds = Schedule.seconds(inDuration: text) else {
      throw ValidationError("--\(option): '\(text)' is not a duration; write <number><unit> groups, units d, h, m, s (e.g. 30s, 2m, 90d)")
    }
    return TimeInterval(seconds)
  }

  func run() throws {
    let store = try self.store.open()
    let output = ServeLogOutput.standardOutput
    let format = logFormat
    let logger = Logger(label: "cronpp") { _ in ServeLogHandler(format: format, output: output) }
    var configuration = ServeConfiguration()
    configuration.workers = workers
    configuration.grace = try Self.seconds(grace, option: "grace")
    let keep = try Self.seconds(retention, option: "retention")
    configuration.retention = keep > 0 ? keep : nil
    configuration.watchedFolder = watch ? tasks : nil
    configuration.version = CronppVersion.current
    let host = RunHost(store: store, storePath: store.path, dataPath: data.resolvedPath, http: HTTPClientBridge(), exec: SubprocessRunner())
    // Made before the folder is applied: it takes the watched folder's first look.
    let scheduler = Scheduler(store: store, runner: TaskRunner(host: host), configuration: configuration, logger: logger)
    if let tasks {
      do {
        try scheduler.apply(tasks)
      } catch {
        if let file = error.file { throw CommandFailure.taskFile(file) }
        if let storeError = error.store { throw CommandFailure.store(storeError) }
        throw CommandFailure.usage(error.message, hint: "fix the file; serve did not start")
      }
    }

    let service = SchedulerService(scheduler: scheduler)
    var quiet = Logger(label: "cronpp.lifecycle") { _ in ServeLogHandler(format: format, output: output) }
    quiet.logLevel = .warning
    let group = ServiceGroup(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: quiet)
    let outcome = Self.block { try await group.run() }
    if let signal = service.stoppedBy { Foundation.exit(128 + signal) }
    if case .failure(let error) = outcome {
      if let error = error as? StoreError { throw CommandFailure.store(error) }
      throw CommandFailure(kind: .environment, message: "serve stopped: \(error)", detail: nil)
    }
  }

  /// Runs async work from this synchronous command and waits for it on this thread.
  static func block(_ work: @escaping @Sendable () async throws -> Void) -> Result<Void, Error> {
    let done = DispatchSemaphore(value: 0)
    let result = Mutex<Result<Void, Error>>(.success(()))
    Task {
      do { try await work() } catch { result.withLock { $0 = .failure(error) } }
      done.signal()
    }
    done.wait()
    return result.withLock { $0 }
  }
}

extension ServeLogFormat: ExpressibleByArgument {}

/// The scheduler as a swift-service-lifecycle service: its loop runs on a thread of ours;
/// the group's graceful shutdown (SIGTERM, SIGINT) stops claiming, and a second signal
/// ends the grace period at once.
final class SchedulerService: Service, Sendable {
  let scheduler: Scheduler
  /// The signal that cut the grace period short, 0 if none did.
  private let secondSignal = Atomic<Int32>(0)
  private let listener = Mutex<Task<Void, Never>?>(nil)

  init(scheduler: Scheduler) { self.scheduler = scheduler }

  var stoppedBy: Int32? {
    let signal = secondSignal.load(ordering: .acquiring)
    return signal == 0 ? nil : signal
  }

  func run() async throws {
    defer { listener.withLock { $0?.cancel() } }
    try await withGracefulShutdownHandler {
      try await Self.onThread { [scheduler] in try scheduler.run() }
    } onGracefulShutdown: { [self] in
      scheduler.stop()
      let task = Task { [self] in
        for await signal in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
          secondSignal.store(signal.rawValue, ordering: .releasing)
          scheduler.stopNow()
          break
        }
      }
      listener.withLock { $0 = task }
    }
  }

  /// Runs the blocking loop on a thread of its own, never on the cooperative pool.
  static func onThread(_ work: @escaping @Sendable () throws -> Void) async throws {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
      let thread = Thread {
        do { try work(); continuation.resume() } catch { continuation.resume(throwing: error) }
      }
      thread.name = "cronpp-scheduler"
      thread.start()
    }
  }
}
