import Foundation
import Testing

/// The deployment examples stay in step with the repository: the container image installs the
/// build packages scripts/install-deps.sh installs and, at run time, only their runtime
/// libraries; compose and the systemd unit give `cronpp serve` longer than its grace to stop;
/// every `serve` they start uses documented options only; and `systemd-analyze verify` accepts
/// the unit without a warning.
@Suite("deployment files")
struct DeploymentFilesTests {
  static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  static let dockerfilePath = "examples/container/Dockerfile"
  static let composePath = "examples/container/compose.yaml"
  static let unitPath = "examples/systemd/cronpp.service"

  static func text(_ path: String) throws -> String {
    try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
  }

  /// What `cronpp serve` documents (its synopsis: `cronpp serve [--db PATH] [--data-db PATH]
  /// [--tasks DIR] [--watch] [--workers N] [--grace DURATION] [--retention DURATION]
  /// [--log-format text|json]`). `serveHelpListsTheseOptions` holds this list to the binary.
  static let serveOptionsWithValue: Set<String> = ["--db", "--data-db", "--tasks", "--workers", "--grace", "--retention", "--log-format"]
  static let serveFlags: Set<String> = ["--watch"]
  static let logFormats: Set<String> = ["text", "json"]
  /// serve's `--grace` when none is given.
  static let defaultGraceSeconds = 30.0

  /// install-deps.sh also installs python3 and python3-pip, but only for the differential test
  /// (scripts/differential.py against cronsim and croniter): building needs neither.
  static let testOnlyPackages: Set<String> = ["python3", "python3-pip"]
  /// The Debian package a binary built against each build package needs at run time; nil for
  /// a build tool. A build package missing here fails the runtime test until it is added.
  static let runtimePackage: [String: String?] = [
    "liblua5.4-dev": "liblua5.4-0",
    "libsqlite3-dev": "libsqlite3-0",
    "pkg-config": nil,
  ]
  /// What the runtime image may install beyond those libraries: IANA zone files for task
  /// time zones, and root certificates for the Lua http bridge's https.
  static let allowedRuntimeExtras: Set<String> = ["tzdata", "ca-certificates"]

  // MARK: - scripts/install-deps.sh and the Dockerfile

  /// The packages of install-deps.sh's `for pkg in ...; do` loop, the ones it installs with apt.
  static func installDepsPackages() throws -> [String] {
    let script = try text("scripts/install-deps.sh")
    guard let match = script.range(of: #"for pkg in [^;\n]+;"#, options: .regularExpression) else {
      throw BinaryRunner.Failure(description: "scripts/install-deps.sh has no 'for pkg in ...; do' loop listing its apt packages")
    }
    return script[match].dropFirst("for pkg in ".count).dropLast().split(separator: " ").map(String.init)
  }

  private static func dockerfile() throws -> Dockerfile { try Dockerfile.parse(try text(dockerfilePath)) }

  /// The stage that runs `swift build`, and the last stage (what the image is).
  private static func stages() throws -> (build: Dockerfile.Stage, runtime: Dockerfile.Stage) {
    let file = try dockerfile()
    guard let build = file.stages.first(where: { $0.runs.contains { $0.contains("swift build") } }), let runtime = file.stages.last,
      file.stages.count >= 2, build.index != runtime.index
    else {
      throw BinaryRunner.Failure(description: "\(dockerfilePath): expected a build stage running 'swift build' and a separate runtime stage")
    }
    return (build, runtime)
  }

  @Test("the image's build stage installs exactly the build packages of scripts/install-deps.sh")
  func buildPackagesMatchInstallDeps() throws {
    let fromScript = try Self.installDepsPackages()
    #expect(Self.testOnlyPackages.isSubset(of: fromScript), "install-deps.sh no longer installs \(Self.testOnlyPackages.sorted()); update testOnlyPackages")
    let expected = Set(fromScript).subtracting(Self.testOnlyPackages)
    #expect(!expected.isEmpty)
    let build = try Self.stages().build
    #expect(Set(build.aptPackages) == expected, "\(Self.dockerfilePath) build stage installs \(build.aptPackages.sorted()), install-deps.sh \(expected.sorted())")
  }

  @Test("the runtime stage installs the runtime library of each build package, nothing else but tzdata and ca-certificates")
  func runtimePackagesAreTheLibrariesOnly() throws {
    let buildPackages = Set(try Self.installDepsPackages()).subtracting(Self.testOnlyPackages)
    let unknown = buildPackages.filter { Self.runtimePackage[$0] == nil }
    #expect(unknown.isEmpty, "no runtime package known for \(unknown.sorted()); add it to runtimePackage")
    let needed = Set(buildPackages.compactMap { Self.runtimePackage[$0] ?? nil })
    let runtime = try Self.stages().runtime
    let installed = Set(runtime.aptPackages)
    #expect(needed.isSubset(of: installed), "the runtime stage lacks \(needed.subtracting(installed).sorted())")
    let extra = installed.subtracting(needed).subtracting(Self.allowedRuntimeExtras)
    #expect(extra.isEmpty, "the runtime stage installs \(extra.sorted()), beyond the libraries and \(Self.allowedRuntimeExtras.sorted())")
    // Recommends would bring in more than the list says.
    let installs = runtime.runs.filter { $0.contains("apt-get install") }
    #expect(!installs.isEmpty)
    for run in installs {
      #expect(run.contains("--no-install-recommends"), "runtime 'apt-get install' without --no-install-recommends: \(run)")
    }
  }

  /// The host can vouch for runtimePackage only when it runs the image's Debian release: the
  /// package names differ between releases (Ubuntu's liblua5.4-0t64, for one).
  static let hostRelease: String? = {
    guard let osRelease = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8) else { return nil }
    return osRelease.split(separator: "\n").first { $0.hasPrefix("VERSION_CODENAME=") }.map { String($0.dropFirst("VERSION_CODENAME=".count)) }
  }()
  static let dpkgQuery = BinaryRunner.onPath("dpkg-query")
  static let hostRunsImageRelease: Bool = {
    guard dpkgQuery != nil, let release = hostRelease, let runtime = try? stages().runtime else { return false }
    return runtime.image == "debian:\(release)-slim"
  }()

  @Test(
    "each -dev package depends on the runtime package the image installs for it",
    .enabled(if: hostRunsImageRelease, "needs dpkg-query on the Debian release of the image's runtime stage (bookworm)"))
  func runtimePackageMappingMatchesDebian() throws {
    let dpkgQuery = try #require(Self.dpkgQuery)
    for (dev, runtime) in Self.runtimePackage {
      guard let runtime else { continue }
      let output = try BinaryRunner.run(dpkgQuery, ["-W", "-f", "${Depends}", dev])
      #expect(output.status == 0, "dpkg-query -W \(dev): \(output.stderr)")
      let depends = output.stdout.split(separator: ",").compactMap { $0.split(separator: " ").first.map(String.init) }
      #expect(depends.contains(runtime), "\(dev) depends on \(depends), not on \(runtime)")
    }
  }

  @Test("the image builds with swift build -c release in a Swift stage of the runtime's Debian release and runs serve on debian slim")
  func imageStages() throws {
    let (build, runtime) = try Self.stages()
    #expect(build.image.hasPrefix("swift:"), "build stage FROM \(build.image)")
    #expect(runtime.image.hasPrefix("debian:") && runtime.image.hasSuffix("-slim"), "runtime stage FROM \(runtime.image)")
    // The binary links the system Lua and SQLite of the release it was built on.
    let buildRelease = build.image.split(separator: "-").last.map(String.init)
    #expect(runtime.image == "debian:\(buildRelease ?? "?")-slim", "build on \(build.image), run on \(runtime.image): not one Debian release")
    let swiftBuild = build.runs.first { $0.contains("swift build") } ?? ""
    #expect(swiftBuild.contains("swift build -c release"), "\(swiftBuild)")
    #expect(swiftBuild.contains("--product cronpp"), "\(swiftBuild)")
    let copies = runtime.instructions.filter { $0.keyword == "COPY" && $0.arguments.contains("--from=") }
    #expect(copies.contains { $0.arguments.contains("--from=\(build.name ?? "\(build.index)") ") && $0.arguments.hasSuffix("/usr/local/bin/cronpp") },
      "the runtime stage does not copy cronpp from the build stage to /usr/local/bin")
    #expect(try runtime.execForm("ENTRYPOINT") == ["cronpp"])
    #expect(try runtime.execForm("CMD").first == "serve")
  }

  @Test("the README's install steps and scripts/demo.sh are the image's: install-deps.sh, swift build -c release --product cronpp, serve --tasks")
  func installStepsMatchTheImage() throws {
    let swiftBuild = try Self.stages().build.runs.first { $0.contains("swift build") } ?? ""
    #expect(swiftBuild.contains("swift build -c release") && swiftBuild.contains("--product cronpp"), "\(swiftBuild)")
    #expect(try Self.stages().runtime.execForm("CMD").prefix(2) == ["serve", "--tasks"])
    // demo.sh runs the binary by its path, "$cronpp" serve --tasks tasks/.
    let steps = ["README.md": ["scripts/install-deps.sh", "swift build -c release --product cronpp", "cronpp serve --tasks"],
                 "scripts/demo.sh": ["scripts/install-deps.sh", "swift build -c release --product cronpp", "serve --tasks"]]
    for (file, expected) in steps {
      // Words only: the README wraps its lines anywhere.
      let words = try Self.text(file).split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
      for step in expected {
        #expect(words.contains(step), "\(file) does not show '\(step)', which \(Self.dockerfilePath) does")
      }
    }
  }

  @Test("SIGTERM reaches cronpp itself: exec-form ENTRYPOINT and CMD, STOPSIGNAL SIGTERM")
  func signalsReachServe() throws {
    let runtime = try Self.stages().runtime
    // A shell-form ENTRYPOINT would run under /bin/sh -c, which does not pass SIGTERM on.
    #expect(throws: Never.self) { try runtime.execForm("ENTRYPOINT") }
    #expect(throws: Never.self) { try runtime.execForm("CMD") }
    #expect(runtime.last("STOPSIGNAL") == "SIGTERM")
  }

  @Test("the image runs as a non-root user, keeps both databases on its volume and checks health with cronpp status")
  func userVolumeAndHealth() throws {
    let runtime = try Self.stages().runtime
    let user = runtime.last("USER") ?? "root"
    #expect(user != "root" && !user.hasPrefix("0") && !user.hasPrefix("root:"), "USER \(user)")
    let volumes = runtime.volumes
    let env = runtime.environment
    #expect(env["CRONPP_DB"] == "/var/lib/cronpp/cronpp.sqlite")
    #expect(env["CRONPP_DATA_DB"] == "/var/lib/cronpp/data.sqlite")
    for name in ["CRONPP_DB", "CRONPP_DATA_DB"] {
      let directory = URL(fileURLWithPath: env[name] ?? "/unset/unset").deletingLastPathComponent().path
      #expect(volumes.contains(directory), "\(name)=\(env[name] ?? "unset") is not on a VOLUME (\(volumes))")
    }
    let health = runtime.last("HEALTHCHECK") ?? ""
    #expect(health.range(of: #"\bCMD\b.*\bcronpp status\b"#, options: .regularExpression) != nil, "HEALTHCHECK \(health)")
  }

  // MARK: - compose.yaml

  @Test("compose mounts tasks/ where serve reads them, keeps the store on a named volume and waits longer than serve's grace")
  func composeService() throws {
    let compose = try ComposeFile.parse(try Self.text(Self.composePath))
    let composeDirectory = Self.root.appendingPathComponent(Self.composePath).deletingLastPathComponent()
    let services = compose.children(of: ["services"])
    #expect(services == ["cronpp"], "services: \(services)")
    let service = ["services", "cronpp"]

    // Built from the repository root with the Dockerfile above.
    let context = composeDirectory.appendingPathComponent(compose.value(service + ["build", "context"]) ?? "?").standardizedFileURL
    #expect(context.path == Self.root.standardizedFileURL.path, "build context \(context.path)")
    #expect(compose.value(service + ["build", "dockerfile"]) == Self.dockerfilePath)

    let runtime = try Self.stages().runtime
    let serve = try compose.value(service + ["command"]).map { try parseExecForm($0) } ?? runtime.execForm("CMD")
    let arguments = try ServeArguments(serve, in: Self.composePath)

    // Where the image keeps CRONPP_DB and CRONPP_DATA_DB.
    let stateDirectory = URL(fileURLWithPath: runtime.environment["CRONPP_DB"] ?? "/unset/unset").deletingLastPathComponent().path
    var tasksMounted = false, stateMounted = false
    for volume in compose.values(service + ["volumes"]) {
      let parts = volume.split(separator: ":").map(String.init)
      guard parts.count >= 2 else { continue }
      let (source, target) = (parts[0], parts[1])
      if source.hasPrefix(".") || source.hasPrefix("/") {
        let path = composeDirectory.appendingPathComponent(source).standardizedFileURL.path
        if path == Self.root.appendingPathComponent("tasks").standardizedFileURL.path {
          tasksMounted = true
          #expect(target == arguments.values["--tasks"], "tasks/ is mounted at \(target), serve reads \(arguments.values["--tasks"] ?? "no --tasks")")
          #expect(parts.dropFirst(2).contains("ro"), "tasks/ is mounted writable; serve only reads it")
        }
      } else if target == stateDirectory {
        stateMounted = true
        #expect(compose.children(of: ["volumes"]).contains(source), "the volume \(source) is not declared under the top-level volumes:")
      }
    }
    #expect(tasksMounted, "compose does not mount the repository's tasks/")
    #expect(stateMounted, "compose keeps \(stateDirectory) (CRONPP_DB, CRONPP_DATA_DB) on no named volume")

    let grace = try arguments.graceSeconds()
    let stop = try #require(compose.value(service + ["stop_grace_period"]), "no stop_grace_period: Docker kills after 10s")
    #expect(try seconds(stop) > grace, "stop_grace_period \(stop) does not exceed serve's grace of \(grace)s")
    #expect(compose.value(service + ["restart"]) == "unless-stopped")
    #expect((compose.value(service + ["healthcheck", "test"]) ?? "").contains("cronpp status"))
  }

  // MARK: - the systemd unit

  @Test("the unit stops serve with SIGTERM and waits longer than its grace, with the databases in its StateDirectory")
  func unitSettings() throws {
    let unit = try SystemdUnit.parse(try Self.text(Self.unitPath))
    let execStart = try #require(unit.value("Service", "ExecStart"))
    let words = execStart.split(separator: " ").map(String.init)
    #expect(words.first == "/usr/local/bin/cronpp")
    let arguments = try ServeArguments(Array(words.dropFirst()), in: Self.unitPath)
    #expect(arguments.values["--tasks"] == "/etc/cronpp/tasks")
    #expect(unit.value("Service", "Type") == "simple")
    #expect((unit.value("Service", "KillSignal") ?? "SIGTERM") == "SIGTERM")
    let stop = try #require(unit.value("Service", "TimeoutStopSec"), "no TimeoutStopSec: systemd's default is 90s, set it explicitly")
    #expect(try seconds(stop) > arguments.graceSeconds(), "TimeoutStopSec=\(stop) does not exceed serve's grace")
    #expect(unit.value("Service", "Restart") == "on-failure")
    let state = try #require(unit.value("Service", "StateDirectory"))
    let environment = Dictionary(
      unit.values("Service", "Environment").flatMap { $0.split(separator: " ") }.map { pair in
        let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
        return (parts[0], parts.count > 1 ? parts[1] : "")
      }, uniquingKeysWith: { $1 })
    for name in ["CRONPP_DB", "CRONPP_DATA_DB"] {
      #expect(environment[name]?.hasPrefix("/var/lib/\(state)/") == true, "\(name)=\(environment[name] ?? "unset") is outside StateDirectory=\(state)")
    }
    for (key, value) in ["NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes"] {
      #expect(unit.value("Service", key) == value, "\(key)=\(unit.value("Service", key) ?? "unset")")
    }
  }

  static let systemdAnalyze = BinaryRunner.onPath("systemd-analyze")

  /// `systemd-analyze verify --man=no` on a copy of `unit` named cronpp.service: its exit status
  /// and the stderr lines that mention the copy. verify checks that ExecStart's program exists,
  /// so the copy runs `program`. `--man=no`: Documentation= names cronpp's man pages, which
  /// are not installed where the tests run.
  static func verify(_ unit: String, program: String) throws -> (status: Int32, complaints: [String]) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cronpp-unit-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let quoted = program.contains(" ") ? "\"\(program)\"" : program
    let copy = unit.replacingOccurrences(of: #"(?m)^ExecStart=\S+"#, with: "ExecStart=" + NSRegularExpression.escapedTemplate(for: quoted), options: .regularExpression)
    let path = directory.appendingPathComponent("cronpp.service")
    try copy.write(to: path, atomically: true, encoding: .utf8)
    let output = try BinaryRunner.run(try #require(systemdAnalyze), ["verify", "--man=no", path.path])
    // verify also reports on the units ours pulls in (network-online.target, ...); those
    // are the host's business. Anything naming our unit counts, even when verify exits 0.
    let complaints = (output.stdout + output.stderr).split(separator: "\n").map(String.init)
      .filter { $0.contains("cronpp.service") || $0.contains(directory.path) }
    return (output.status, complaints)
  }

  @Test(
    "systemd-analyze verify accepts the unit without a warning",
    .enabled(if: systemdAnalyze != nil, "systemd-analyze is not installed on this machine"))
  func unitVerifies() throws {
    let unit = try Self.text(Self.unitPath)
    let cronpp = try BinaryRunner.cronpp().executable.path
    let result = try Self.verify(unit, program: cronpp)
    #expect(result.status == 0, "systemd-analyze verify \(Self.unitPath) exited \(result.status): \(result.complaints)")
    #expect(result.complaints.isEmpty, "systemd-analyze verify \(Self.unitPath): \(result.complaints)")
    // verify only warns about a key it does not know (systemd 252 exits 0): the check above
    // must see such a warning.
    let typo = try Self.verify(unit.replacingOccurrences(of: "[Service]\n", with: "[Service]\nRestartt=on-failure\n"), program: cronpp)
    #expect(!typo.complaints.isEmpty, "an unknown key went unnoticed: \(typo)")
  }

  // MARK: - serve's options

  @Test("every serve the deployment files start uses only options cronpp serve documents")
  func serveArgumentsAreDocumented() throws {
    let runtime = try Self.stages().runtime
    let cmd = try runtime.execForm("CMD")
    #expect(cmd.first == "serve")
    let container = try ServeArguments(cmd, in: Self.dockerfilePath)
    #expect(container.values["--log-format"] == "json")
    let unit = try SystemdUnit.parse(try Self.text(Self.unitPath))
    let words = (unit.value("Service", "ExecStart") ?? "").split(separator: " ").map(String.init)
    #expect(words.dropFirst().first == "serve")
    _ = try ServeArguments(Array(words.dropFirst()), in: Self.unitPath)
    // And the checker rejects what serve does not take.
    #expect(throws: BinaryRunner.Failure.self) { try ServeArguments(["serve", "--tasks", "/t", "--log", "json"], in: "example") }
    #expect(throws: BinaryRunner.Failure.self) { try ServeArguments(["serve", "--log-format", "yaml"], in: "example") }
  }

  @Test("the serve options these tests accept are exactly those cronpp serve --help lists")
  func serveHelpListsTheseOptions() throws {
    let help = try BinaryRunner.cronpp().run(["serve", "--help"])
    #expect(help.status == 0, "cronpp serve --help: \(help.stderr)")
    let listed = HelpText.longOptions(in: help.stdout).subtracting(["--help", "--version"])
    #expect(listed == Self.serveOptionsWithValue.union(Self.serveFlags), "cronpp serve --help lists \(listed.sorted())")
  }
}

// MARK: - Readers for the three file formats, as much of each as the files use

/// A Dockerfile's instructions by stage, continuation lines joined and comments dropped (as
/// Docker does, also between continued lines).
private struct Dockerfile {
  struct Instruction {
    let keyword: String
    let arguments: String
  }

  struct Stage {
    let index: Int
    let image: String
    let name: String?
    var instructions: [Instruction] = []

    /// The commands of its RUN instructions.
    var runs: [String] { instructions.filter { $0.keyword == "RUN" }.map(\.arguments) }

    /// The arguments of the last `keyword` instruction.
    func last(_ keyword: String) -> String? { instructions.last { $0.keyword == keyword }?.arguments }

    /// The last `keyword` instruction in exec (JSON array) form.
    func execForm(_ keyword: String) throws -> [String] {
      guard let arguments = last(keyword) else { throw BinaryRunner.Failure(description: "no \(keyword) in the stage FROM \(image)") }
      return try parseExecForm(arguments)
    }

    /// The packages its RUN instructions install with `apt-get install` (or `apt install`).
    var aptPackages: [String] {
      var packages: [String] = []
      for run in runs {
        let words = run.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        var index = 0
        while index < words.count {
          defer { index += 1 }
          guard words[index] == "apt-get" || words[index] == "apt" else { continue }
          var next = index + 1
          while next < words.count, words[next].hasPrefix("-") { next += 1 }
          guard next < words.count, words[next] == "install" else { continue }
          next += 1
          while next < words.count, !["&&", "||", ";", "|"].contains(words[next]) {
            let word = words[next].hasSuffix(";") ? String(words[next].dropLast()) : words[next]
            if !word.hasPrefix("-") && !word.isEmpty { packages.append(word) }
            if words[next].hasSuffix(";") { break }
            next += 1
          }
          index = next
        }
      }
      return packages
    }

    /// ENV's NAME=value pairs.
    var environment: [String: String] {
      var environment: [String: String] = [:]
      for env in instructions where env.keyword == "ENV" {
        for pair in env.arguments.split(separator: " ") {
          let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
          if parts.count == 2 { environment[parts[0]] = parts[1] }
        }
      }
      return environment
    }

    /// The paths of its VOLUME instructions.
    var volumes: [String] {
      instructions.filter { $0.keyword == "VOLUME" }.flatMap { volume in
        (try? parseExecForm(volume.arguments)) ?? volume.arguments.split(separator: " ").map(String.init)
      }
    }
  }

  var stages: [Stage] = []

  static func parse(_ text: String) throws -> Dockerfile {
    var file = Dockerfile()
    var arguments: [String: String] = [:]
    var pending = ""
    func finish() throws {
      let line = pending.trimmingCharacters(in: .whitespaces)
      pending = ""
      guard !line.isEmpty else { return }
      let keyword = String(line.prefix { !$0.isWhitespace }).uppercased()
      let rest = line.dropFirst(keyword.count).trimmingCharacters(in: .whitespaces)
      if keyword == "ARG", file.stages.isEmpty {
        let parts = rest.split(separator: "=", maxSplits: 1).map(String.init)
        arguments[parts[0]] = parts.count > 1 ? parts[1] : ""
      } else if keyword == "FROM" {
        var words = rest.split(separator: " ").map(String.init).filter { !$0.hasPrefix("--") }
        for (name, value) in arguments {
          words = words.map { $0.replacingOccurrences(of: "${\(name)}", with: value).replacingOccurrences(of: "$\(name)", with: value) }
        }
        guard let image = words.first else { throw BinaryRunner.Failure(description: "FROM without an image") }
        let name = words.count >= 3 && words[1].uppercased() == "AS" ? words[2] : nil
        file.stages.append(Stage(index: file.stages.count, image: image, name: name))
      } else {
        guard !file.stages.isEmpty else { throw BinaryRunner.Failure(description: "\(keyword) before the first FROM") }
        file.stages[file.stages.count - 1].instructions.append(Instruction(keyword: keyword, arguments: rest))
      }
    }
    for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.hasPrefix("#") { continue }
      if line.hasSuffix("\\") {
        pending += line.dropLast() + " "
      } else {
        pending += line
        try finish()
      }
    }
    try finish()
    return file
  }
}

/// An exec-form (JSON array) instruction or compose `command`.
private func parseExecForm(_ text: String) throws -> [String] {
  guard let array = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String] else {
    throw BinaryRunner.Failure(description: "not an exec-form JSON array of strings: \(text)")
  }
  return array
}

/// A duration as compose (`45s`, `1m30s`), systemd (`45s`, `1min 30s`, `90`) and cronpp
/// (`30s`, `2m`, `1h30m`) write them, in seconds.
private func seconds(_ text: String) throws -> Double {
  let compact = text.replacingOccurrences(of: " ", with: "")
  if let plain = Double(compact) { return plain }
  let units: [String: Double] = ["ms": 0.001, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "d": 86400]
  let regex = try NSRegularExpression(pattern: #"([0-9]+(?:\.[0-9]+)?)([a-z]+)"#)
  var total = 0.0, covered = 0
  for match in regex.matches(in: compact, range: NSRange(compact.startIndex..., in: compact)) {
    let number = Double(compact[Range(match.range(at: 1), in: compact)!])!
    guard let unit = units[String(compact[Range(match.range(at: 2), in: compact)!])] else {
      throw BinaryRunner.Failure(description: "unknown unit in the duration \(text)")
    }
    total += number * unit
    covered += match.range.length
  }
  guard covered == compact.utf16.count, covered > 0 else { throw BinaryRunner.Failure(description: "not a duration: \(text)") }
  return total
}

/// `cronpp serve`'s arguments, checked against the documented options.
private struct ServeArguments {
  var values: [String: String] = [:]
  var flags: Set<String> = []

  /// `arguments` starts with `serve`.
  init(_ arguments: [String], in file: String) throws {
    guard arguments.first == "serve" else { throw BinaryRunner.Failure(description: "\(file): runs \(arguments.first ?? "nothing"), not serve") }
    var rest = arguments.dropFirst()
    while let word = rest.popFirst() {
      let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
      let option = parts[0]
      if DeploymentFilesTests.serveFlags.contains(option), parts.count == 1 {
        flags.insert(option)
      } else if DeploymentFilesTests.serveOptionsWithValue.contains(option) {
        guard let value = parts.count == 2 ? parts[1] : rest.popFirst() else {
          throw BinaryRunner.Failure(description: "\(file): serve \(option) lacks its value")
        }
        values[option] = value
      } else {
        throw BinaryRunner.Failure(description: "\(file): serve does not document \(word)")
      }
    }
    if let format = values["--log-format"], !DeploymentFilesTests.logFormats.contains(format) {
      throw BinaryRunner.Failure(description: "\(file): serve --log-format takes text or json, not \(format)")
    }
  }

  func graceSeconds() throws -> Double {
    try values["--grace"].map { try seconds($0) } ?? DeploymentFilesTests.defaultGraceSeconds
  }
}

/// The block-style YAML subset compose.yaml uses: nested `key: value` mappings and `- item`
/// sequences of scalars, `#` comments. Each scalar is kept with its key path.
private struct ComposeFile {
  var entries: [(path: [String], value: String)] = []

  static func parse(_ text: String) throws -> ComposeFile {
    var file = ComposeFile()
    var stack: [(indent: Int, key: String)] = []
    for raw in text.split(separator: "\n") {
      var line = String(raw)
      if let comment = line.range(of: #"(^|\s)#.*$"#, options: .regularExpression) { line.removeSubrange(comment) }
      guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
      let indent = line.prefix { $0 == " " }.count
      let content = line.trimmingCharacters(in: .whitespaces)
      if content.hasPrefix("- ") {
        while let last = stack.last, last.indent > indent { stack.removeLast() }
        file.entries.append((stack.map(\.key), unquote(String(content.dropFirst(2)))))
        continue
      }
      while let last = stack.last, last.indent >= indent { stack.removeLast() }
      guard let colon = content.range(of: #":(\s|$)"#, options: .regularExpression) else {
        throw BinaryRunner.Failure(description: "compose.yaml: cannot read '\(content)'")
      }
      let key = String(content[..<colon.lowerBound])
      let value = content[colon.upperBound...].trimmingCharacters(in: .whitespaces)
      file.entries.append((stack.map(\.key) + [key], unquote(value)))
      if value.isEmpty { stack.append((indent, key)) }
    }
    return file
  }

  static func unquote(_ text: String) -> String {
    if text.count >= 2, let first = text.first, first == text.last, first == "\"" || first == "'" {
      return String(text.dropFirst().dropLast())
    }
    return text
  }

  func value(_ path: [String]) -> String? { entries.last { $0.path == path && !$0.value.isEmpty }?.value }

  /// The items of the sequence at `path`.
  func values(_ path: [String]) -> [String] { entries.filter { $0.path == path }.map(\.value).filter { !$0.isEmpty } }

  /// The keys directly under `path`.
  func children(of path: [String]) -> [String] {
    var keys: [String] = []
    for entry in entries where entry.path.count == path.count + 1 && Array(entry.path.prefix(path.count)) == path {
      if !keys.contains(entry.path[path.count]) { keys.append(entry.path[path.count]) }
    }
    return keys
  }
}

/// A systemd unit's `Key=value` lines by section.
private struct SystemdUnit {
  var entries: [(section: String, key: String, value: String)] = []

  static func parse(_ text: String) throws -> SystemdUnit {
    var unit = SystemdUnit()
    var section = ""
    for raw in text.split(separator: "\n") {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
      if line.hasPrefix("[") && line.hasSuffix("]") {
        section = String(line.dropFirst().dropLast())
        continue
      }
      guard let equals = line.firstIndex(of: "=") else { throw BinaryRunner.Failure(description: "cronpp.service: cannot read '\(line)'") }
      unit.entries.append((section, String(line[..<equals]), String(line[line.index(after: equals)...])))
    }
    return unit
  }

  func value(_ section: String, _ key: String) -> String? { values(section, key).last }

  func values(_ section: String, _ key: String) -> [String] {
    entries.filter { $0.section == section && $0.key == key }.map(\.value)
  }
}
