/// Something about a schedule that is valid but likely to surprise its author.
public struct ScheduleWarning: Sendable, Equatable, CustomStringConvertible {
  public enum Kind: String, Sendable, Equatable, Codable {
    /// Both day fields are restricted, so Vixie cron's OR rule applies.
    case eitherDay = "either-day"
    /// A daylight-saving jump skips wall times the schedule names.
    case skippedByDaylightSaving = "dst-skipped"
    /// A daylight-saving fall-back repeats wall times the schedule names.
    case repeatedByDaylightSaving = "dst-repeated"
    /// Fires less than once a year, or not again at all.
    case rare
    /// `@every` with a period that does not divide a day drifts against midnight.
    case everyDrifts = "every-drifts"
    /// A `*/n` step that does not divide its field leaves a short last gap.
    case unevenStep = "uneven-step"
    /// `H` values came from an empty seed.
    case hashWithoutSeed = "hash-without-seed"
  }

  public let kind: Kind
  public let message: String

  public var description: String { message }
}
