import Foundation

/// Runs the `cronpp` executable SwiftPM built for this test run and captures what it prints.
/// The test target depends on the `cronpp` target, so the binary sits in the same products
/// directory as the test bundle, under `.build` or any `--scratch-path`.
struct BinaryRunner: Sendable {
  /// What a process printed and how it ended.
  struct Output: Sendable, Equatable {
    var stdout: String
    var stderr: String
    var status: Int32
  }

  struct Failure: Error, CustomStringConvertible {
    let description: String
  }

  let executable: URL

  /// The built `cronpp`; `CRONPP_BINARY` in the environment overrides the search.
  static func cronpp() throws -> BinaryRunner {
    if let path = ProcessInfo.processInfo.environment["CRONPP_BINARY"], !path.isEmpty {
      return BinaryRunner(executable: URL(fileURLWithPath: path))
    }
    for directory in productsDirectories() {
      let candidate = directory.appendingPathComponent("cronpp")
      if isExecutableFile(candidate) { return BinaryRunner(executable: candidate) }
    }
    throw Failure(description: "cannot find the built cronpp next to the test bundle; run 'swift build' first or set CRONPP_BINARY")
  }

  /// Runs the executable with `arguments` (no shell) and waits for it.
  func run(_ arguments: [String], environment: [String: String]? = nil) throws -> Output {
    try Self.run(executable, arguments, environment: environment)
  }

  /// Runs any program; stdout and stderr go to temporary files so neither pipe can fill up.
  static func run(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil) throws -> Output {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("cronpp-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)

    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let environment { process.environment = environment }
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = out
    process.standardError = err
    try process.run()
    process.waitUntilExit()
    try out.close()
    try err.close()
    return Output(
      stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
      stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self),
      status: process.terminationStatus)
  }

  /// A program found on `PATH`, if any.
  static func onPath(_ name: String) -> URL? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") where !directory.isEmpty {
      let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
      if isExecutableFile(candidate) { return candidate }
    }
    return nil
  }

  /// Build products directories that may hold `cronpp`: the parent of the `.xctest` bundle
  /// this code runs in (found from the loaded bundles and the process's own path), then the
  /// package's default `.build/debug` as a last resort.
  private static func productsDirectories() -> [URL] {
    var starts = Bundle.allBundles.map(\.bundleURL) + [Bundle.main.bundleURL]
    if let zeroth = CommandLine.arguments.first { starts.append(URL(fileURLWithPath: zeroth)) }
    if let executable = Bundle.main.executableURL { starts.append(executable) }
    var found: [URL] = []
    for start in starts {
      var url = start.standardizedFileURL
      while url.pathComponents.count > 1 {
        if url.pathExtension == "xctest" {
          found.append(url.deletingLastPathComponent())
          break
        }
        url = url.deletingLastPathComponent()
      }
    }
    let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    found.append(package.appendingPathComponent(".build/debug"))
    return found
  }

  private static func isExecutableFile(_ url: URL) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
      && FileManager.default.isExecutableFile(atPath: url.path)
  }
}
