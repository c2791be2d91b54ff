import GRDB

/// How every cronpp record meets SQL: snake_case columns (ready for PostgreSQL) and
/// instants as Unix seconds (REAL), so SQL can compare and index them.
public protocol StoredRecord: FetchableRecord, EncodableRecord {}

extension StoredRecord {
  public static var databaseColumnDecodingStrategy: DatabaseColumnDecodingStrategy { .convertFromSnakeCase }
  public static var databaseColumnEncodingStrategy: DatabaseColumnEncodingStrategy { .convertToSnakeCase }
  public static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy { .timeIntervalSince1970 }
  public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { .timeIntervalSince1970 }
}
