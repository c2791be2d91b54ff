import AsyncHTTPClient
import CronppStore
import Foundation
import NIOCore
import NIOHTTP1

/// What a task's on-failure target hears when a run failed for good (no retry left): the
/// config of a notification task, or the body POSTed to a URL.
public struct FailureNotice: Sendable, Equatable {
  public var task: String
  public var run: Int64?
  public var status: RunStatus
  public var error: String?
  public var attempt: Int
  public var scheduledAt: Date?
  public var finishedAt: Date?

  public init(task: String, run: RunRecord) {
    (self.task, self.run, status, error, attempt, scheduledAt, finishedAt) =
      (task, run.id, run.status, run.error, run.attempt, run.scheduledAt, run.finishedAt)
  }

  /// `{"attempt":3,"error":"…","finished_at":"…","run":42,"scheduled_at":"…","status":"failed","task":"backup"}`
  public var json: String {
    var object: [String: Any] = ["task": task, "status": status.rawValue, "attempt": attempt]
    if let run { object["run"] = run }
    if let error { object["error"] = error }
    if let scheduledAt { object["scheduled_at"] = ServeLogHandler.timestamp(scheduledAt) }
    if let finishedAt { object["finished_at"] = ServeLogHandler.timestamp(finishedAt) }
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self)
  }

  /// Whether an on-failure target is a URL (else it names a task).
  public static func isURL(_ target: String) -> Bool { target.hasPrefix("http://") || target.hasPrefix("https://") }

  /// POSTs the notice as JSON to `url`; the HTTP status, or an error naming what failed.
  public func post(to url: String, timeout: TimeInterval) async -> Result<Int, FailureNoticeError> {
    var request = HTTPClientRequest(url: url)
    request.method = .POST
    request.headers.add(name: "Content-Type", value: "application/json")
    request.headers.add(name: "User-Agent", value: "cronpp")
    request.body = .bytes(ByteBuffer(string: json))
    do {
      let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
      _ = try? await response.body.collect(upTo: 64 << 10)
      guard (200..<300).contains(Int(response.status.code)) else {
        return .failure(FailureNoticeError(message: "\(url) answered \(response.status.code) \(response.status.reasonPhrase)"))
      }
      return .success(Int(response.status.code))
    } catch {
      return .failure(FailureNoticeError(message: "POST \(url) failed: \(error)"))
    }
  }
}

public struct FailureNoticeError: Error, Sendable, Equatable {
  public let message: String
}
