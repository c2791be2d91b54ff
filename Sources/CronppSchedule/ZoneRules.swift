import Foundation

/// A zone's UTC offsets as a table of transitions from 1970 through 2200, read once per
/// zone from Foundation and cached, so converting between wall time and instants is a
/// binary search instead of a call into ICU per candidate.
final class ZoneRules: Sendable {
  /// Instants (Unix seconds) where the offset changes, ascending.
  let transitions: [Int64]
  /// `offsets[i]` holds from `transitions[i - 1]` (or the start of time) to `transitions[i]`.
  let offsets: [Int64]

  private init(_ zone: TimeZone) {
    var transitions: [Int64] = []
    var offsets: [Int64] = [Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: 0)))]
    var cursor = Date(timeIntervalSince1970: 0)
    while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next.timeIntervalSince1970 < Self.horizon {
      let offset = Int64(zone.secondsFromGMT(for: next))
      if offset != offsets[offsets.count - 1] {
        transitions.append(Int64(next.timeIntervalSince1970))
        offsets.append(offset)
      }
      cursor = next
    }
    self.transitions = transitions
    self.offsets = offsets
  }

  /// 2200-01-01T00:00:00Z plus a day, past the last fire time we compute.
  private static let horizon: Double = 7_258_204_800

  nonisolated(unsafe) private static var cache: [String: ZoneRules] = [:]
  private static let lock = NSLock()

  static func of(_ zone: TimeZone) -> ZoneRules {
    lock.lock()
    defer { lock.unlock() }
    if let rules = cache[zone.identifier] { return rules }
    let rules = ZoneRules(zone)
    cache[zone.identifier] = rules
    return rules
  }

  /// The index of the offset period containing `instant`.
  @inline(__always)
  func period(containing instant: Int64) -> Int {
    var low = 0, high = transitions.count
    while low < high {
      let mid = (low + high) / 2
      if transitions[mid] <= instant { low = mid + 1 } else { high = mid }
    }
    return low
  }

  @inline(__always)
  func start(of period: Int) -> Int64? { period > 0 ? transitions[period - 1] : nil }

  @inline(__always)
  func end(of period: Int) -> Int64? { period < transitions.count ? transitions[period] : nil }

  func offset(at instant: Int64) -> Int64 { offsets[period(containing: instant)] }
}
