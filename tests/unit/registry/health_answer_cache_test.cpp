// How long a health answer stands, and what checks get while the database is being asked.

#include "registry/health_answer_cache.h"

#include <gtest/gtest.h>

namespace glance::registry {
namespace {

using namespace std::chrono_literals;
using Step = HealthAnswerCache::Step;
using Time = HealthAnswerCache::Clock::time_point;

const Time t0{std::chrono::hours(1)};

bool asks(const Step& s, bool owner) {
  auto* ask = std::get_if<HealthAnswerCache::Ask>(&s);
  return ask && ask->owner == owner;
}
bool answers_ok(const Step& s) {
  auto* r = std::get_if<common::Result<void>>(&s);
  return r && *r;
}
std::string answers_error(const Step& s) {
  auto* r = std::get_if<common::Result<void>>(&s);
  if (!r || *r) return "no error";
  return r->error().message();
}

TEST(HealthAnswerCache, AnAnswerStandsForItsTtlThenOneCheckAsksAgain) {
  HealthAnswerCache cache(1s, 3s);
  ASSERT_TRUE(asks(cache.next(t0), true));
  cache.answered({}, t0 + 10ms, true);
  EXPECT_TRUE(answers_ok(cache.next(t0 + 500ms)));
  EXPECT_TRUE(answers_ok(cache.next(t0 + 1009ms)));
  EXPECT_TRUE(asks(cache.next(t0 + 1010ms), true));
  // Meanwhile the others get the previous answer, not a second question.
  EXPECT_TRUE(answers_ok(cache.next(t0 + 1100ms)));
  cache.answered(common::Error::unavailable("node desynced"), t0 + 1200ms, true);
  EXPECT_EQ(answers_error(cache.next(t0 + 1300ms)), "node desynced");
}

TEST(HealthAnswerCache, BeforeTheFirstAnswerEveryCheckAsks) {
  HealthAnswerCache cache(1s, 3s);
  EXPECT_TRUE(asks(cache.next(t0), true));
  EXPECT_TRUE(asks(cache.next(t0 + 1ms), false));
  EXPECT_TRUE(asks(cache.next(t0 + 2ms), false));
  // A helper's answer is shared, but the owner's question is still the one in flight.
  cache.answered({}, t0 + 5ms, false);
  EXPECT_TRUE(answers_ok(cache.next(t0 + 6ms)));
  EXPECT_TRUE(answers_ok(cache.next(t0 + 2s)));  // stale, owner still asking: previous answer
}

TEST(HealthAnswerCache, AQuestionThatHangsAnswersUnavailableWithoutAskingAgain) {
  HealthAnswerCache cache(1s, 3s);
  ASSERT_TRUE(asks(cache.next(t0), true));
  cache.answered({}, t0, true);
  ASSERT_TRUE(asks(cache.next(t0 + 2s), true));  // this one hangs
  EXPECT_TRUE(answers_ok(cache.next(t0 + 4s)));
  for (auto at : {t0 + 5s, t0 + 6s, t0 + 60s})
    EXPECT_NE(answers_error(cache.next(at)).find("has not answered the health check"),
              std::string::npos);
  // When it finally comes back, checks are answered and may ask again.
  cache.answered({}, t0 + 61s, true);
  EXPECT_TRUE(answers_ok(cache.next(t0 + 61500ms)));
  EXPECT_TRUE(asks(cache.next(t0 + 62s), true));
}

TEST(HealthAnswerCache, AFirstQuestionThatHangsAlsoAnswersUnavailable) {
  HealthAnswerCache cache(1s, 3s);
  ASSERT_TRUE(asks(cache.next(t0), true));
  EXPECT_TRUE(asks(cache.next(t0 + 1s), false));
  EXPECT_EQ(answers_error(cache.next(t0 + 3s)),
            "the database has not answered the health check for 3 s");
}

}  // namespace
}  // namespace glance::registry
