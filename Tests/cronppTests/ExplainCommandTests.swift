import Foundation
import Testing

@Suite("cronpp explain")
struct ExplainCommandTests {
  @Test("prints the description, field table, next runs and warnings as in the golden file", arguments: [
    (["*/15 9-17 * * MON-FRI", "--tz", "UTC", "--from", "2026-11-25T16:00:00Z"], "explain-office-hours.txt"),
    (["CRON_TZ=America/New_York 30 2 * * *", "--tz", "UTC", "--from", "2026-11-25T00:00:00Z"], "explain-dst-skip.txt"),
    (["*/30 1 * * *", "--tz", "America/New_York", "--from", "2026-10-31"], "explain-dst-repeat-wildcard.txt"),
    (["0 8 1 * MON", "--tz", "Europe/Berlin", "--from", "2026-11-25"], "explain-either-day.txt"),
    (["0 0 29 2 *", "--tz", "UTC", "--from", "2026-01-01"], "explain-leap-day.txt"),
    (["H H * * *", "--seed", "cleanup-expired-tokens", "--tz", "UTC", "--from", "2026-01-01"], "explain-hash.txt"),
    (["0 0 6 LW * ? 2026-2027", "--tz", "UTC", "--from", "2026-01-01"], "explain-seven-fields.txt"),
    (["@every 7m", "--tz", "UTC", "--from", "2026-01-01"], "explain-every.txt"),
    (["@reboot", "--tz", "UTC", "--from", "2026-01-01"], "explain-reboot.txt"),
    (["0 10 * * TUE#2,5L", "--tz", "Australia/Lord_Howe", "--from", "2026-11-25", "--json"], "explain-specials.json"),
  ])
  func golden(arguments: [String], golden: String) throws {
    let result = try BinaryRunner.cronpp().run(["explain"] + arguments)
    #expect(result.status == 0)
    #expect(result.stderr == "")
    try GoldenFile.check(result.stdout, against: golden)
  }

  @Test("--json prints one object with every key a script reads")
  func jsonShape() throws {
    let result = try BinaryRunner.cronpp().run(["explain", "0 8 1 * MON", "--tz", "UTC", "--from", "2026-01-01", "--json"])
    let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(Set(object.keys) == ["expression", "description", "timeZone", "fields", "next", "warnings"])
    #expect(object["timeZone"] as? String == "UTC")
    #expect((object["next"] as? [String])?.count == 5)
    let warnings = try #require(object["warnings"] as? [[String: String]])
    #expect(warnings.map { $0["kind"] } == ["either-day"])
  }

  @Test("an invalid expression exits 2 with the error and a caret, printing nothing on stdout")
  func invalidExpression() throws {
    let result = try BinaryRunner.cronpp().run(["explain", "0 0 * NOV-FEB *"])
    #expect(result.status == 2)
    #expect(result.stdout == "")
    #expect(result.stderr == """
      cronpp: error: month: NOV-FEB runs backwards; ranges do not wrap around, so split it: NOV-DEC,JAN-FEB
        0 0 * NOV-FEB *
              ^^^^^^^

      """)
  }
}
