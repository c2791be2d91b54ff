import CronppEngine
import Testing

/// Retry delays: doubling from the base, capped, jittered in the upper half.
struct BackoffTests {
  @Test("the delay doubles per attempt from the base up to the cap", arguments: [
    (2, 10.0), (3, 20.0), (4, 40.0), (5, 80.0), (10, 600.0), (100, 600.0),
  ])
  func doubling(attempt: Int, longest: Double) {
    #expect(Backoff.delay(beforeAttempt: attempt, base: 10, cap: 600, random: 1) == longest)
    #expect(Backoff.delay(beforeAttempt: attempt, base: 10, cap: 600, random: 0) == longest / 2)
  }

  @Test("jitter stays within the upper half of the delay")
  func jitter() {
    for step in 0...100 {
      let delay = Backoff.delay(beforeAttempt: 4, base: 10, cap: 600, random: Double(step) / 100)
      #expect((20...40).contains(delay))
    }
  }
}
