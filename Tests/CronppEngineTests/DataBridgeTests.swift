import CronppEngine
import CronppStore
import CronppLua
import Foundation
import Testing

/// `db` against a real SQLite data database: parameters, NULL, blobs, transactions, and the
/// walls around it (grants, one statement per call, no ATTACH, the deadline, the row cap).
struct DataBridgeTests {
  let scratch = Scratch()
  var data: String { scratch.file("data.sqlite") }

  init() throws {
    let setup = try runScript(
      """
      db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT, score REAL, avatar BLOB)")
      db.exec("INSERT INTO users (name, email, score) VALUES (?, ?, ?)", "ada", "ada@example.com", 9.5)
      db.exec("INSERT INTO users (name, email, score) VALUES (?, ?, ?)", "bob", nil, 3)
      """, grants: ["db:write"], data: data)
    #expect(setup.outcome.status == .success, "\(setup.outcome.error ?? "")")
  }

  func run(_ source: String, grants: [String] = ["db"], limits: LuaLimits = LuaLimits(wallTime: 5)) throws -> LuaRunOutcome {
    try runScript(source, grants: grants, data: data, limits: limits).outcome
  }

  @Test("query returns rows keyed by column, with NULL as db.null and numbers typed")
  func queryRows() throws {
    let outcome = try run(
      """
      local rows = db.query("SELECT id, name, email, score FROM users ORDER BY id")
      return {#rows, rows[1].name, rows[1].score, rows[2].email == db.null, math.type(rows[2].score), tostring(db.null)}
      """)
    #expect(outcome.result == #"[2,"ada",9.5,true,"float","db.null"]"#, "\(outcome.error ?? "")")
  }

  @Test("parameters bind nil and db.null as NULL, booleans as 1 and 0, invalid UTF-8 as a blob")
  func parameterTypes() throws {
    let outcome = try run(
      """
      local n = db.exec("INSERT INTO users (name, email, score, avatar) VALUES (?, ?, ?, ?)", "cy", db.null, true, "\\255\\0x")
      local row = db.query("SELECT typeof(email) AS e, score, typeof(avatar) AS a, length(avatar) AS len FROM users WHERE name = ?", "cy")[1]
      return {n, row.e, row.score, row.a, row.len}
      """, grants: ["db:write"])
    #expect(outcome.result == #"[1,"null",1,"blob",3]"#, "\(outcome.error ?? "")")
  }

  @Test("a parameter holding SQL is data, never SQL")
  func injectionIsData() throws {
    let outcome = try run(
      """
      local evil = "x'); DROP TABLE users; --"
      db.exec("INSERT INTO users (name) VALUES (?)", evil)
      return db.query("SELECT count(*) AS n FROM users WHERE name = ?", evil)[1].n
      """, grants: ["db:write"])
    #expect(outcome.result == "1")
    #expect(try run("return #db.query('SELECT * FROM users')").result == "3")
  }

  @Test("one statement per call, so stacked statements cannot ride along")
  func oneStatement() throws {
    let outcome = try run("return db.exec('DELETE FROM users; DROP TABLE users')", grants: ["db:write"])
    #expect(outcome.status == .failed)
    #expect(outcome.error?.contains("one statement per call") == true)
    #expect(try run("return #db.query('SELECT * FROM users')").result == "2")
  }

  @Test("the parameter count must match the statement's")
  func parameterCount() throws {
    let outcome = try run("return db.query('SELECT * FROM users WHERE id = ?')")
    #expect(outcome.error == "db.query: the statement has 1 parameter and the call passed 0")
  }

  @Test("without db:write a write fails with the grant that would allow it, and changes nothing")
  func readOnly() throws {
    let outcome = try run("return db.exec('DELETE FROM users')")
    #expect(outcome.status == .failed)
    #expect(outcome.error == "not allowed: db write (grant with --allow db:write)")
    #expect(try run("return #db.query('SELECT * FROM users')").result == "2")
  }

  @Test("without any db grant the database is not even opened")
  func noGrant() throws {
    let outcome = try run("return db.query('SELECT 1')", grants: [])
    #expect(outcome.error == "not allowed: db (grant with --allow db, or --allow db:write)")
  }

  @Test("ATTACH and VACUUM INTO cannot reach other files", arguments: [
    "db.exec(\"ATTACH DATABASE ? AS other\", PATH)",
    "db.exec(\"VACUUM INTO ?\", PATH)",
    "db.exec(\"PRAGMA writable_schema = ON\")",
    "db.query(\"SELECT load_extension('/lib/x86_64-linux-gnu/libc.so.6')\")",
  ])
  func otherFiles(statement: String) throws {
    let target = scratch.file("escape.sqlite")
    let outcome = try run(statement.replacingOccurrences(of: "PATH", with: "'\(target)'"), grants: ["db:write"])
    #expect(outcome.status == .failed)
    #expect(!FileManager.default.fileExists(atPath: target))
  }

  @Test("db.tx commits when the function returns and rolls back when it raises")
  func transactions() throws {
    let committed = try run(
      """
      local n = db.tx(function()
        db.exec("INSERT INTO users (name) VALUES ('t1')")
        return db.exec("INSERT INTO users (name) VALUES ('t2')")
      end)
      return {n, #db.query("SELECT * FROM users")}
      """, grants: ["db:write"])
    #expect(committed.result == "[1,4]", "\(committed.error ?? "")")
    let rolledBack = try run(
      """
      local ok, err = pcall(db.tx, function()
        db.exec("DELETE FROM users")
        error("changed my mind")
      end)
      return {ok, #db.query("SELECT * FROM users")}
      """, grants: ["db:write"])
    #expect(rolledBack.result == "[false,4]", "\(rolledBack.error ?? "")")
  }

  @Test("a transaction left open by a failing run is rolled back when the run ends")
  func openTransactionRolledBack() throws {
    let outcome = try run(
      """
      db.tx(function()
        db.exec("DELETE FROM users")
        while true do end
      end)
      """, grants: ["db:write"], limits: LuaLimits(wallTime: 5, instructions: 2_000_000))
    #expect(outcome.error == "instruction budget exceeded")
    #expect(try run("return #db.query('SELECT * FROM users')").result == "2")
  }

  @Test("a query running past the deadline is interrupted and the run times out")
  func slowQueryTimesOut() throws {
    let started = Date()
    let outcome = try run(
      "return db.query('WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n')",
      limits: LuaLimits(wallTime: 0.5))
    #expect(outcome.status == .timeout)
    #expect(Date().timeIntervalSince(started) < 3)
  }

  @Test("more than 10,000 rows is an error, not a silent cut")
  func rowCap() throws {
    let outcome = try run("return #db.query('WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT 10001) SELECT i FROM n')")
    #expect(outcome.error?.contains("more than 10000 rows") == true)
    #expect(try run("return #db.query('WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT 10000) SELECT i FROM n')").result == "10000")
  }

  @Test("the cronpp store cannot be used as the data database")
  func storeRefused() throws {
    let store = try CronppStore.Store(path: scratch.file("cronpp.sqlite"))
    let outcome = try runScript("return db.query('SELECT * FROM task')", grants: ["db"], data: store.path, store: store).outcome
    #expect(outcome.error?.contains("cannot be the cronpp store") == true)
  }

  @Test("with no data database configured, db says how to set one")
  func noDataDatabase() throws {
    let outcome = try runScript("return db.query('SELECT 1')", grants: ["db"]).outcome
    #expect(outcome.error == "db.query: no data database is set (pass --data-db PATH or set CRONPP_DATA_DB)")
  }
}
