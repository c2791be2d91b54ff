import Foundation
import Testing

/// The man pages stay honest: every `$ cronpp ...` example in a literal display runs and
/// prints exactly the lines under it, every subcommand has a page that names each of its
/// options, and `man` renders every page without a warning.
struct ManPageTests {
  static let manDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("man")

  /// Pages whose examples run; each example must pin `--tz` and `--from`.
  static let pagesWithExamples = ["cronpp-schedule.5", "cronpp-next.1", "cronpp-explain.1"]

  static var pages: [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: manDirectory.path)) ?? []
    return names.filter { $0.range(of: #"^cronpp[a-z-]*\.[1-9]$"#, options: .regularExpression) != nil }.sorted()
  }

  static func source(of page: String) throws -> String {
    try String(contentsOf: manDirectory.appendingPathComponent(page), encoding: .utf8)
  }

  static func examples(in page: String) throws -> [ManPageExample] {
    let url = manDirectory.appendingPathComponent(page)
    guard FileManager.default.fileExists(atPath: url.path) else { return [] }
    return try ManPageExample.parse(try source(of: page), page: page)
  }

  /// Every example of every page, for the parameterized test (parse errors fail `examplesParse`).
  static let allExamples: [ManPageExample] = pagesWithExamples.flatMap { (try? examples(in: $0)) ?? [] }

  @Test("the examples parse, pin --tz and --from, and cronpp-schedule.5 has at least 30")
  func examplesParse() throws {
    for page in Self.pagesWithExamples {
      for example in try Self.examples(in: page) {
        #expect(example.arguments.contains("--tz"), "\(example.testDescription) has no --tz")
        #expect(example.arguments.contains("--from"), "\(example.testDescription) has no --from")
      }
    }
    #expect(try Self.examples(in: "cronpp-schedule.5").count >= 30)
  }

  @Test("the examples run the cronpp built with this test bundle, not a stale one")
  func runnerFindsTheFreshBinary() throws {
    guard ProcessInfo.processInfo.environment["CRONPP_BINARY"] == nil else { return }
    let products = try BinaryRunner.cronpp().executable.deletingLastPathComponent()
    let siblings = try FileManager.default.contentsOfDirectory(atPath: products.path)
    #expect(siblings.contains { $0.hasSuffix(".xctest") }, "\(products.path) holds no test bundle")
  }

  @Test("every example prints exactly what its page shows", arguments: allExamples)
  func example(_ example: ManPageExample) throws {
    var environment = ProcessInfo.processInfo.environment
    // Far from every zone the examples use, so a missing --tz would show.
    environment["TZ"] = "Pacific/Chatham"
    let output = try BinaryRunner.cronpp().run(example.arguments, environment: environment)
    #expect(output.stdout + output.stderr == example.expected, "\(example.testDescription)")
    #expect(output.status == example.expectedStatus, "\(example.testDescription)")
  }

  @Test("every subcommand has a page, and the page names each of its options")
  func subcommandPages() throws {
    let cronpp = try BinaryRunner.cronpp()
    let subcommands = HelpText.subcommands(in: try cronpp.run(["--help"]).stdout)
    #expect(subcommands.contains("next"))
    for name in subcommands {
      let page = "cronpp-\(name).1"
      guard FileManager.default.fileExists(atPath: Self.manDirectory.appendingPathComponent(page).path) else {
        Issue.record("man/\(page) is missing for the subcommand '\(name)'")
        continue
      }
      let source = try Self.source(of: page)
      let options = HelpText.longOptions(in: try cronpp.run([name, "--help"]).stdout).subtracting(["--help", "--version"])
      #expect(!options.isEmpty, "cronpp \(name) --help lists no options")
      for option in options.sorted() {
        let macro = "Fl -\(option.dropFirst(2))"
        let named = source.range(of: #"\b\#(NSRegularExpression.escapedPattern(for: macro))(?![A-Za-z0-9-])"#, options: .regularExpression) != nil
        #expect(named, "man/\(page) does not mention \(option) (as '\(macro)')")
      }
    }
  }

  @Test("each page's .Dt names the page, and every cronpp page it cites exists")
  func titlesAndCrossReferences() throws {
    #expect(Self.pages.contains("cronpp.1"))
    #expect(Self.pages.contains("cronpp-schedule.5"))
    for page in Self.pages {
      let source = try Self.source(of: page)
      let name = page.split(separator: ".").dropLast().joined(separator: ".")
      let section = page.split(separator: ".").last.map(String.init) ?? ""
      #expect(source.contains("\n.Dt \(name.uppercased()) \(section)\n"), "man/\(page) has no '.Dt \(name.uppercased()) \(section)'")
      for line in source.split(separator: "\n") where line.hasPrefix(".Xr cronpp") {
        let words = line.split(separator: " ")
        guard words.count >= 3 else { continue }
        let cited = "\(words[1]).\(words[2].prefix { $0.isNumber })"
        #expect(Self.pages.contains(cited), "man/\(page) cites \(cited), which does not exist")
      }
    }
  }

  @Test(
    "CRONPP_RECORD=1 rewrites the examples' output from the binary, then fails so the diff gets a look",
    .enabled(if: ProcessInfo.processInfo.environment["CRONPP_RECORD"] == "1"))
  func record() throws {
    let cronpp = try BinaryRunner.cronpp()
    var environment = ProcessInfo.processInfo.environment
    environment["TZ"] = "Pacific/Chatham"
    for page in Self.pagesWithExamples {
      let url = Self.manDirectory.appendingPathComponent(page)
      guard FileManager.default.fileExists(atPath: url.path) else { continue }
      let old = try Self.source(of: page)
      let new = try ManPageExample.record(old, page: page) { arguments in
        let output = try cronpp.run(arguments, environment: environment)
        return output.stdout + output.stderr
      }
      if new != old { try new.write(to: url, atomically: true, encoding: .utf8) }
    }
    Issue.record("CRONPP_RECORD=1 rewrote the examples in man/; review them with 'git diff man/'")
  }

  static let man = BinaryRunner.onPath("man")

  @Test("man renders the page without warnings", .enabled(if: man != nil), arguments: pages)
  func renders(page: String) throws {
    guard let man = Self.man else { return }
    var environment = ProcessInfo.processInfo.environment
    environment["LC_ALL"] = "C.UTF-8"
    environment["MANWIDTH"] = "80"
    environment["MANPAGER"] = "cat"
    environment["PAGER"] = "cat"
    let output = try BinaryRunner.run(man, ["--warnings", "-l", Self.manDirectory.appendingPathComponent(page).path], environment: environment)
    #expect(output.stderr == "", "man --warnings -l man/\(page)")
    #expect(output.status == 0)
    #expect(!output.stdout.isEmpty)
  }
}

/// One `$ cronpp ...` line of a literal display and the output lines under it.
struct ManPageExample: Sendable, CustomTestStringConvertible {
  let page: String
  let line: Int
  let arguments: [String]
  /// stdout then stderr, as a terminal shows them.
  let expected: String

  /// An example whose output is a `cronpp: error:` message must exit 2; others exit 0.
  var expectedStatus: Int32 { expected.hasPrefix("cronpp: error:") ? 2 : 0 }

  var testDescription: String {
    "man/\(page):\(line) cronpp " + arguments.map { $0.contains(" ") || $0.isEmpty ? "'\($0)'" : $0 }.joined(separator: " ")
  }

  struct ParseError: Error, CustomStringConvertible {
    let description: String
  }

  /// The examples in the `.Bd -literal` ... `.Ed` displays of an mdoc page. A line ending in
  /// a backslash continues the command on the next line, as in a shell.
  static func parse(_ source: String, page: String) throws -> [ManPageExample] {
    var examples: [ManPageExample] = []
    var inLiteral = false
    var current: (line: Int, command: String, continues: Bool, output: [String])?

    func finish() throws {
      guard let example = current else { return }
      current = nil
      var output = example.output
      while output.last?.isEmpty == true { output.removeLast() }
      let words = try shellWords(example.command, at: "man/\(page):\(example.line)")
      guard words.first == "cronpp" else {
        throw ParseError(description: "man/\(page):\(example.line): an example must run cronpp")
      }
      examples.append(ManPageExample(
        page: page, line: example.line, arguments: Array(words.dropFirst()),
        expected: output.map { $0 + "\n" }.joined()))
    }

    for (index, raw) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let number = index + 1
      if raw.hasPrefix(".\\\"") || raw.hasPrefix("'\\\"") { continue }  // comment
      if !inLiteral {
        if raw.hasPrefix(".Bd") && raw.contains("-literal") { inLiteral = true }
        continue
      }
      if raw.hasPrefix(".Ed") {
        try finish()
        inLiteral = false
        continue
      }
      if raw.hasPrefix(".") || raw.hasPrefix("'") {
        if current != nil {
          throw ParseError(description: "man/\(page):\(number): a request inside an example's output: \(raw)")
        }
        continue
      }
      let line = try unescape(raw, at: "man/\(page):\(number)")
      if var example = current, example.continues {
        example.command += " " + line.trimmingCharacters(in: .whitespaces)
        example.continues = example.command.hasSuffix("\\")
        if example.continues { example.command.removeLast() }
        current = example
      } else if line.hasPrefix("$ ") {
        try finish()
        var command = String(line.dropFirst(2))
        let continues = command.hasSuffix("\\")
        if continues { command.removeLast() }
        current = (number, command, continues, [])
      } else if current != nil {
        current?.output.append(line)
      }
    }
    if inLiteral { throw ParseError(description: "man/\(page): a .Bd -literal display has no .Ed") }
    return examples
  }

  /// `source` with the output under every example replaced by what `run` prints for its
  /// arguments, escaped for roff, and one blank line between examples.
  static func record(_ source: String, page: String, run: ([String]) throws -> String) throws -> String {
    var out: [String] = []
    var inLiteral = false
    var skippingOutput = false
    var command: (line: Int, text: String)?
    for (index, raw) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = String(raw)
      if !inLiteral {
        out.append(line)
        if line.hasPrefix(".Bd") && line.contains("-literal") { inLiteral = true }
        continue
      }
      if var pending = command {
        // A continuation line of the command.
        out.append(line)
        pending.text += " " + (try unescape(raw, at: "man/\(page):\(index + 1)")).trimmingCharacters(in: .whitespaces)
        command = pending
      } else if line.hasPrefix("$ ") {
        if out.last.map({ !$0.hasPrefix(".Bd") }) ?? false { out.append("") }
        out.append(line)
        command = (index + 1, String(try unescape(raw, at: "man/\(page):\(index + 1)").dropFirst(2)))
      } else if line.hasPrefix(".Ed") {
        skippingOutput = false
        out.append(line)
        inLiteral = false
        continue
      } else if !skippingOutput {
        out.append(line)
        continue
      } else {
        continue
      }
      guard let pending = command else { continue }
      if pending.text.hasSuffix("\\") {
        command?.text.removeLast()
        continue
      }
      command = nil
      let words = try shellWords(pending.text, at: "man/\(page):\(pending.line)")
      guard words.first == "cronpp" else {
        throw ParseError(description: "man/\(page):\(pending.line): an example must run cronpp")
      }
      let printed = try run(Array(words.dropFirst()))
      for outputLine in printed.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
        var escaped = outputLine.replacingOccurrences(of: "\\", with: "\\e")
        if escaped.hasPrefix(".") || escaped.hasPrefix("'") { escaped = "\\&" + escaped }
        out.append(escaped)
      }
      skippingOutput = true
    }
    return out.joined(separator: "\n")
  }

  /// The text a roff line prints: the few escapes the pages use, and nothing else.
  static func unescape(_ line: Substring, at place: String) throws -> String {
    let escapes: [String: String] = ["e": "\\", "&": "", "-": "-", "(aq": "'", "(dq": "\"", "(ga": "`", "(ha": "^", "(ti": "~"]
    var out = ""
    var rest = line[...]
    while let slash = rest.firstIndex(of: "\\") {
      out += rest[..<slash]
      let after = rest[rest.index(after: slash)...]
      guard let (escape, text) = escapes.first(where: { after.hasPrefix($0.key) }) else {
        throw ParseError(description: "\(place): unknown roff escape in an example: \\\(after.prefix(3))")
      }
      out += text
      rest = after.dropFirst(escape.count)
    }
    return out + rest
  }

  /// Splits a command line as a POSIX shell would, for the quoting the pages allow:
  /// words separated by blanks, single quotes, and no character the shell would expand.
  static func shellWords(_ command: String, at place: String) throws -> [String] {
    var words: [String] = []
    var word: String?
    var quoted = false
    for c in command {
      if quoted {
        if c == "'" { quoted = false } else { word = (word ?? "") + String(c) }
      } else if c == "'" {
        quoted = true
        word = word ?? ""
      } else if c == " " || c == "\t" {
        if let w = word { words.append(w) }
        word = nil
      } else if "\"\\$`|&;<>()*?[]{}".contains(c) || (word == nil && (c == "#" || c == "~")) {
        throw ParseError(description: "\(place): quote \(c) with single quotes (examples use single quotes only)")
      } else {
        word = (word ?? "") + String(c)
      }
    }
    if quoted { throw ParseError(description: "\(place): unterminated single quote") }
    if let w = word { words.append(w) }
    return words
  }
}

/// Reads argument-parser's help text.
enum HelpText {
  /// The names in the SUBCOMMANDS section (`next`, `explain`, ...), without `help`.
  static func subcommands(in help: String) -> [String] {
    section("SUBCOMMANDS:", in: help).compactMap { line in
      // Names are indented two spaces; deeper lines continue an abstract.
      guard line.hasPrefix("  "), !line.hasPrefix("   "), !line.hasPrefix("  -") else { return nil }
      let name = line.split(separator: " ").first.map(String.init)
      return name == "help" ? nil : name
    }
  }

  /// The long options (`--count`, `--json`, ...) in the OPTIONS section. Option lines are
  /// indented two spaces; deeper lines continue a description.
  static func longOptions(in help: String) -> Set<String> {
    var options: Set<String> = []
    for line in section("OPTIONS:", in: help) where line.hasPrefix("  -") {
      // The option column ends where two spaces start the description.
      let column = line.dropFirst(2).components(separatedBy: "  ").first ?? ""
      for word in column.split(whereSeparator: { $0 == " " || $0 == "," }) where word.hasPrefix("--") {
        options.insert(String(word.prefix { $0 == "-" || $0.isLetter || $0.isNumber }))
      }
    }
    return options
  }

  /// The lines after `header` up to the first blank line.
  private static func section(_ header: String, in help: String) -> [Substring] {
    let lines = help.split(separator: "\n", omittingEmptySubsequences: false)
    guard let start = lines.firstIndex(where: { $0 == header }) else { return [] }
    return Array(lines[(start + 1)...].prefix { !$0.trimmingCharacters(in: .whitespaces).isEmpty })
  }
}
