import Foundation
import Testing

@Suite("cronpp next")
struct NextCommandTests {
  @Test("text output lists each fire with offset, weekday and time until it")
  func textListing() throws {
    let result = try BinaryRunner.cronpp().run(["next", "30 2 * * *", "--tz", "America/New_York", "--from", "2026-03-07", "--count", "3"])
    #expect(result.status == 0)
    #expect(result.stdout == """
      2026-03-07T02:30:00-05:00  Sat  in 2h 30m
      2026-03-08T03:00:00-04:00  Sun  in 1d 2h
      2026-03-09T02:30:00-04:00  Mon  in 2d 1h

      """)
  }

  @Test("--json prints a JSON array of RFC 3339 strings with the zone's offset and nothing else", arguments: [
    (["0 9 * * *", "--tz", "Europe/Berlin", "--from", "2026-03-28T12:00:00Z", "--count", "2"],
     #"["2026-03-29T09:00:00+02:00","2026-03-30T09:00:00+02:00"]"#),
    (["CRON_TZ=Asia/Kolkata 0 9 * * *", "--tz", "UTC", "--from", "2026-01-01T00:00:00Z", "--count", "1"],
     #"["2026-01-01T09:00:00+05:30"]"#),
    (["0 0 0 1 1 * 2030", "--tz", "UTC", "--from", "2026-01-01", "--count", "5"],
     #"["2030-01-01T00:00:00+00:00"]"#),
    (["@every 90m", "--tz", "UTC", "--from", "2026-01-01T00:00:00Z", "--count", "3"],
     #"["2026-01-01T01:30:00+00:00","2026-01-01T03:00:00+00:00","2026-01-01T04:30:00+00:00"]"#),
    (["@reboot", "--tz", "UTC", "--count", "3"], "[]"),
  ])
  func json(arguments: [String], expected: String) throws {
    let result = try BinaryRunner.cronpp().run(["next"] + arguments + ["--json"])
    #expect(result.status == 0)
    #expect(result.stdout == expected + "\n")
  }

  @Test("--from in another zone than the schedule gives the same instants")
  func fromAnyOffset() throws {
    let a = try BinaryRunner.cronpp().run(["next", "*/20 * * * *", "--tz", "UTC", "--from", "2026-06-01T10:05:00Z", "--json"])
    let b = try BinaryRunner.cronpp().run(["next", "*/20 * * * *", "--tz", "UTC", "--from", "2026-06-01T12:05:00+02:00", "--json"])
    #expect(a.stdout == b.stdout)
    #expect(a.status == 0)
  }

  @Test("bad input exits 2 with one error line and a hint or caret", arguments: [
    (["0 0 32 * *"], "cronpp: error: day-of-month: 32 is out of range 1-31\n  0 0 32 * *\n      ^^\n"),
    (["0 0 30 2 *"], "cronpp: error: day-of-month: 30 never falls in month 2, so the schedule would never fire\n  0 0 30 2 *\n      ^^\n"),
    (["* * * *"], "cronpp: error: schedule: has 4 fields; write 5 (minute hour day-of-month month day-of-week), 6 (a leading second) or 7 (seconds first, year last)\n  * * * *\n  ^^^^^^^\n"),
    (["* * * * *", "--count", "0"], "cronpp: error: --count: 0 is out of range 1-10000\n"),
    (["* * * * *", "--count", "100001"], "cronpp: error: --count: 100001 is out of range 1-10000\n"),
    (["* * * * *", "--tz", "Mars/Olympus"], "cronpp: error: --tz: Mars/Olympus is not a known IANA time zone\nhint: use a name such as Europe/Berlin, America/New_York or UTC\n"),
    (["* * * * *", "--from", "yesterday"], "cronpp: error: --from: 'yesterday' is not an instant\nhint: write RFC 3339 (2026-03-08T09:00:00-05:00) or a local date-time (2026-03-08 09:00) read in --tz\n"),
    (["* * * * *", "--from", "2026-02-30"], "cronpp: error: --from: '2026-02-30' is not an instant\nhint: write RFC 3339 (2026-03-08T09:00:00-05:00) or a local date-time (2026-03-08 09:00) read in --tz\n"),
    (["CRON_TZ=Nowhere 0 9 * * *"], "cronpp: error: time zone: Nowhere is not a known IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)\n  CRON_TZ=Nowhere 0 9 * * *\n          ^^^^^^^\n"),
  ])
  func badInput(arguments: [String], stderr: String) throws {
    let result = try BinaryRunner.cronpp().run(["next"] + arguments)
    #expect(result.status == 2)
    #expect(result.stdout == "")
    #expect(result.stderr == stderr)
  }

  @Test("usage errors from argument parsing exit 2, not 64", arguments: [
    ["next"], ["next", "* * * * *", "--bogus"], ["frobnicate"], ["next", "* * * * *", "--count", "many"],
  ])
  func usageErrors(arguments: [String]) throws {
    let result = try BinaryRunner.cronpp().run(arguments)
    #expect(result.status == 2)
    #expect(result.stderr.hasPrefix("cronpp: error: "))
    #expect(result.stderr.split(separator: "\n").count <= 2)
  }

  @Test("--help and --version exit 0 on stdout", arguments: [["--help"], ["next", "--help"], ["explain", "--help"], ["--version"]])
  func help(arguments: [String]) throws {
    let result = try BinaryRunner.cronpp().run(arguments)
    #expect(result.status == 0)
    #expect(!result.stdout.isEmpty)
    #expect(result.stderr == "")
  }
}
