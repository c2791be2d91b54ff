import Foundation

extension Schedule {
  /// English description; names the zone when `zone` is given or the expression has a CRON_TZ= prefix (the prefix wins).
  ///
  /// `@every` and `@reboot` name no zone: they count from the Unix epoch or from start-up,
  /// so no zone changes when they fire.
  public func englishDescription(zone: TimeZone? = nil) -> String {
    switch kind {
    case .reboot:
      return "Once, when cronpp serve starts"
    case .every(let seconds):
      return "Every \(EnglishWords.duration(seconds: seconds)), counted from the Unix epoch"
    case .calendar(let rule):
      var sentence = rule.englishSentence
      if let zone = timeZone ?? zone { sentence.append(DescriptionClause(text: Self.zonePhrase(zone))) }
      return sentence.text
    }
  }

  /// "in Europe/Berlin time". UTC's aliases all read "in UTC": Foundation on Linux reports
  /// `UTC` itself as `GMT`, and the host's zone is often `Etc/UTC`.
  private static func zonePhrase(_ zone: TimeZone) -> String {
    let name = zone.identifier
    let bare = name.hasPrefix("Etc/") ? String(name.dropFirst(4)) : name
    return utcAliases.contains(bare) ? "in UTC" : "in \(name) time"
  }

  private static let utcAliases: Set = ["UTC", "UCT", "GMT", "GMT0", "GMT+0", "GMT-0", "Greenwich", "Universal", "Zulu"]
}

extension CalendarRule {
  /// Time of day, then days, months and years, each only when it narrows the schedule.
  var englishSentence: DescriptionSentence {
    let time = TimeOfDayPhrase(self)
    let months = FieldPattern(self, .month)
    let days = DayPhrase(rule: self).clause(months: months)
    var sentence: DescriptionSentence
    if let times = time.listedTimes {
      sentence = DescriptionSentence(DescriptionClause(text: days == nil ? "Every day at \(times)" : "At \(times)"))
    } else {
      sentence = DescriptionSentence(time.clause)
    }
    sentence.append(days?.clause)
    if days?.namesMonths != true { sentence.append(MonthYearPhrase.months(months)) }
    sentence.append(MonthYearPhrase.years(FieldPattern(self, .year)))
    return sentence
  }
}
