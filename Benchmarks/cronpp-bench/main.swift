// cronpp-bench: next-fire computations per second, in process, one expression at a time.
//
//   swift build -c release --product cronpp-bench --scratch-path .build-bench
//   .build-bench/release/cronpp-bench [--budget SECONDS] [--repeats N] [--zones Z1,Z2] [FILE]
//
// Reads expressions one per line from FILE or stdin (blank lines and `#` comments skipped).
// For each expression and zone it parses the schedule once, then pulls fire times from its
// lazy sequence (`nextSeconds()`, the serve loop's hot path) for the time budget, `repeats`
// times, and prints the best run as one JSON line:
//   {"expr":"*/5 * * * *","zone":"UTC","per_second":12345678,"fires":3703703,"seconds":0.3}
// A sequence that runs out (a yearly schedule reaches 2199) starts again from the start
// instant. Scripts read the JSON; scripts/bench.py compares it with cronsim and croniter.
// Not a test: timings depend on the machine.

import CronppSchedule
import Foundation

struct Options {
  var budget = 0.3
  var repeats = 3
  var zones = ["UTC", "America/New_York"]
  var file: String?
  /// 2026-01-01T00:00:00Z.
  var start = Date(timeIntervalSince1970: 1_767_225_600)
}

let usageLine = "usage: cronpp-bench [--budget SECONDS] [--repeats N] [--zones Z1,Z2] [FILE]"

func usage(_ message: String) -> Never {
  FileHandle.standardError.write(Data("cronpp-bench: \(message)\n\(usageLine)\n".utf8))
  exit(2)
}

func parseOptions() -> Options {
  var options = Options()
  var args = CommandLine.arguments.dropFirst()
  while let arg = args.popFirst() {
    switch arg {
    case "--budget":
      guard let v = args.popFirst().flatMap(Double.init), v > 0 else { usage("--budget takes a positive number of seconds") }
      options.budget = v
    case "--repeats":
      guard let v = args.popFirst().flatMap(Int.init), v > 0 else { usage("--repeats takes a positive integer") }
      options.repeats = v
    case "--zones":
      guard let v = args.popFirst() else { usage("--zones takes a comma-separated list of IANA names") }
      options.zones = v.split(separator: ",").map(String.init)
    case "-h", "--help":
      print("cronpp-bench: next-fire computations per second, one JSON line per expression and zone\n\(usageLine)")
      exit(0)
    default:
      if arg.hasPrefix("-") { usage("unknown option \(arg)") }
      options.file = arg
    }
  }
  return options
}

func readExpressions(_ file: String?) -> [String] {
  var text = ""
  if let file {
    guard let contents = try? String(contentsOfFile: file, encoding: .utf8) else { usage("cannot read \(file)") }
    text = contents
  } else {
    while let line = readLine() { text += line + "\n" }
  }
  return text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
}

/// Pulls fire times for about `budget` seconds; returns (fires, elapsed seconds, checksum).
/// The checksum keeps the optimizer from dropping the work.
@inline(never)
func run(_ schedule: Schedule, zone: TimeZone, from start: Date, budget: Double) -> (Int, Double, Int64) {
  let clock = ContinuousClock()
  let began = clock.now
  let deadline = began.advanced(by: .nanoseconds(Int64(budget * 1e9)))
  var fires = 0
  var checksum: Int64 = 0
  var sequence = schedule.fires(after: start, in: zone)
  while true {
    // Check the clock every 1024 fires, so reading it costs nothing measurable.
    for _ in 0..<1024 {
      if let t = sequence.nextSeconds() {
        checksum &+= t
        fires += 1
      } else {
        sequence = schedule.fires(after: start, in: zone)
      }
    }
    let now = clock.now
    if now >= deadline {
      let elapsed = began.duration(to: now)
      return (fires, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, checksum)
    }
  }
}

struct Line: Encodable {
  let expr: String
  let zone: String
  let per_second: Int
  let fires: Int
  let seconds: Double
  let checksum: Int64
}

let options = parseOptions()
let expressions = readExpressions(options.file)
if expressions.isEmpty { usage("no expressions (one per line on stdin or in FILE)") }
let encoder = JSONEncoder()
encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
var failed = false
var schedules: [(String, Schedule)] = []
for expression in expressions {
  do {
    schedules.append((expression, try Schedule(expression)))
  } catch {
    FileHandle.standardError.write(Data("cronpp-bench: \(expression): \(error)\n".utf8))
    failed = true
  }
}

for name in options.zones {
  guard let zone = TimeZone(identifier: name) else { usage("\(name) is not a known IANA time zone") }
  for (expression, schedule) in schedules {
    // A short warm-up (zone table, caches), then the best of `repeats` runs.
    _ = run(schedule, zone: zone, from: options.start, budget: min(0.05, options.budget))
    var best: (rate: Double, fires: Int, seconds: Double, checksum: Int64) = (0, 0, 0, 0)
    for _ in 0..<options.repeats {
      let (fires, seconds, checksum) = run(schedule, zone: zone, from: options.start, budget: options.budget)
      let rate = Double(fires) / seconds
      if rate > best.rate { best = (rate, fires, seconds, checksum) }
    }
    let line = Line(expr: expression, zone: name, per_second: Int(best.rate), fires: best.fires, seconds: best.seconds, checksum: best.checksum)
    if let data = try? encoder.encode(line) {
      print(String(decoding: data, as: UTF8.self))
    }
  }
}
exit(failed ? 1 : 0)
