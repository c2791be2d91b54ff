import GRDB

/// Schema versions, append-only: never edit a shipped migration, add the next one.
/// SQL only, no app types, so a migration means the same forever.
enum Migrations {
  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1") { db in
      try db.execute(sql: """
        CREATE TABLE task (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          name TEXT NOT NULL UNIQUE,
          description TEXT NOT NULL DEFAULT '',
          schedule TEXT NOT NULL,
          time_zone TEXT,
          body TEXT NOT NULL,
          source_path TEXT,
          enabled INTEGER NOT NULL DEFAULT 1,
          locked INTEGER NOT NULL DEFAULT 0,
          managed INTEGER NOT NULL DEFAULT 0,
          timeout_seconds REAL,
          retries INTEGER NOT NULL DEFAULT 0,
          backoff_base_seconds REAL NOT NULL DEFAULT 10,
          backoff_cap_seconds REAL NOT NULL DEFAULT 600,
          overlap TEXT NOT NULL DEFAULT 'skip' CHECK (overlap IN ('skip', 'allow', 'queue')),
          missed TEXT NOT NULL DEFAULT 'skip' CHECK (missed IN ('skip', 'once', 'all')),
          auto_disable_after INTEGER,
          config TEXT NOT NULL DEFAULT '{}',
          capabilities TEXT NOT NULL DEFAULT '[]',
          tags TEXT NOT NULL DEFAULT '[]',
          next_run_at REAL,
          success_count INTEGER NOT NULL DEFAULT 0,
          failure_count INTEGER NOT NULL DEFAULT 0,
          consecutive_failures INTEGER NOT NULL DEFAULT 0,
          last_run_at REAL,
          last_status TEXT,
          last_success_at REAL,
          last_failure_at REAL,
          created_at REAL NOT NULL,
          updated_at REAL NOT NULL
        );
        CREATE TABLE run (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          task_id INTEGER NOT NULL REFERENCES task(id) ON DELETE CASCADE,
          trigger TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual', 'retry', 'catchup', 'reboot')),
          attempt INTEGER NOT NULL DEFAULT 1,
          scheduled_at REAL,
          started_at REAL NOT NULL,
          finished_at REAL,
          duration REAL,
          status TEXT NOT NULL CHECK (status IN ('running', 'success', 'failed', 'timeout', 'skipped', 'abandoned')),
          result TEXT,
          error TEXT,
          traceback TEXT,
          instance_id TEXT
        );
        CREATE INDEX run_by_task ON run(task_id, started_at);
        CREATE INDEX run_by_task_duration ON run(task_id, duration) WHERE duration IS NOT NULL;
        CREATE INDEX run_by_start ON run(started_at);
        CREATE TABLE run_log (
          run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
          seq INTEGER NOT NULL,
          at REAL NOT NULL,
          level TEXT NOT NULL CHECK (level IN ('debug', 'info', 'warn', 'error')),
          message TEXT NOT NULL,
          fields TEXT,
          PRIMARY KEY (run_id, seq)
        ) WITHOUT ROWID;
        CREATE TABLE task_state (
          task_id INTEGER NOT NULL REFERENCES task(id) ON DELETE CASCADE,
          key TEXT NOT NULL,
          value TEXT NOT NULL,
          PRIMARY KEY (task_id, key)
        ) WITHOUT ROWID;
        CREATE TABLE instance (
          id TEXT PRIMARY KEY,
          host TEXT NOT NULL,
          pid INTEGER NOT NULL,
          version TEXT NOT NULL,
          started_at REAL NOT NULL,
          heartbeat_at REAL NOT NULL
        );
        CREATE TABLE audit (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          at REAL NOT NULL,
          actor TEXT NOT NULL,
          action TEXT NOT NULL,
          task_name TEXT NOT NULL,
          old_value TEXT,
          new_value TEXT
        );
        CREATE INDEX audit_by_task ON audit(task_name, at);
        """)
    }
    // serve reads the next due fire of every enabled task; an index keeps that one seek
    // with 100,000 tasks.
    migrator.registerMigration("v2-due-index") { db in
      try db.execute(sql: "CREATE INDEX task_due ON task(next_run_at) WHERE enabled = 1 AND next_run_at IS NOT NULL")
    }
    // serve: a failed run carries when its retry is due (claimed by clearing it), tasks
    // name who hears of a failure, notification runs get a trigger of their own, and an
    // instance records its process-ID namespace (containers sharing a host name). SQLite
    // cannot change a CHECK constraint, so `run` is rebuilt (GRDB migrates with foreign
    // keys off, so run_log keeps its rows).
    migrator.registerMigration("v3-serve") { db in
      try db.execute(sql: """
        ALTER TABLE task ADD COLUMN on_failure TEXT;
        ALTER TABLE instance ADD COLUMN pid_namespace TEXT;
        CREATE TABLE run_v3 (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          task_id INTEGER NOT NULL REFERENCES task(id) ON DELETE CASCADE,
          trigger TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual', 'retry', 'catchup', 'reboot', 'notify')),
          attempt INTEGER NOT NULL DEFAULT 1,
          scheduled_at REAL,
          started_at REAL NOT NULL,
          finished_at REAL,
          duration REAL,
          status TEXT NOT NULL CHECK (status IN ('running', 'success', 'failed', 'timeout', 'skipped', 'abandoned')),
          result TEXT,
          error TEXT,
          traceback TEXT,
          instance_id TEXT,
          retry_at REAL
        );
        INSERT INTO run_v3 (id, task_id, trigger, attempt, scheduled_at, started_at, finished_at, duration, status, result, error, traceback, instance_id)
          SELECT id, task_id, trigger, attempt, scheduled_at, started_at, finished_at, duration, status, result, error, traceback, instance_id FROM run;
        DROP TABLE run;
        ALTER TABLE run_v3 RENAME TO run;
        CREATE INDEX run_by_task ON run(task_id, started_at);
        CREATE INDEX run_by_task_duration ON run(task_id, duration) WHERE duration IS NOT NULL;
        CREATE INDEX run_by_start ON run(started_at);
        CREATE INDEX run_retry_due ON run(retry_at) WHERE retry_at IS NOT NULL;
        CREATE INDEX run_running ON run(task_id) WHERE status = 'running';
        """)
    }
    return migrator
  }
}
