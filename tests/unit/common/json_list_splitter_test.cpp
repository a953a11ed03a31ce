#include "common/json_list_splitter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace glance::common {
namespace {

using nlohmann::json;

struct Split {
  std::vector<std::string> elements;
  Result<void> fed;
  Result<void> finished;
};

// Feeds `text` in pieces of `piece` bytes (the whole text when 0), then finishes.
Split split(std::string_view text, size_t piece = 0, JsonLimits limits = {}) {
  JsonListSplitter splitter("images", limits);
  Split out;
  const auto take = [&](std::string_view e) -> Result<void> {
    out.elements.emplace_back(e);
    return {};
  };
  const size_t step = piece == 0 ? text.size() : piece;
  for (size_t at = 0; at < text.size() && out.fed; at += step)
    out.fed = splitter.feed(text.substr(at, step), take);
  out.finished = splitter.finish();
  return out;
}

const std::string kDocument =
    R"( { "first": {"images": [1]}, "images" : [ {"id": "a", "name": "[{\"}]"},)"
    "\n"
    R"(  {"id": "b", "props": {"k": ["x", {"y": "\\"}]}} , [] ] , "next": "z" } )";

TEST(JsonListSplitter, HandsOverEachElementWhereverThePiecesAreCut) {
  const std::vector<std::string> want = {R"({"id": "a", "name": "[{\"}]"})",
                                         R"({"id": "b", "props": {"k": ["x", {"y": "\\"}]}})",
                                         "[]"};
  for (size_t piece = 0; piece <= 7; ++piece) {
    auto got = split(kDocument, piece);
    ASSERT_TRUE(got.fed) << piece << ": " << got.fed.error().message();
    ASSERT_TRUE(got.finished) << piece << ": " << got.finished.error().message();
    EXPECT_EQ(got.elements, want) << "pieces of " << piece;
    for (const auto& e : got.elements) EXPECT_TRUE(parse_json(e)) << e;
  }
}

TEST(JsonListSplitter, AnEmptyListAndAListAloneAreFine) {
  for (const char* text : {R"({"images": []})", R"({"images":[{}]})", " {\"images\":\t[ ]}\n"}) {
    auto got = split(text, 1);
    EXPECT_TRUE(got.fed && got.finished) << text;
  }
}

TEST(JsonListSplitter, RefusesWhatIsNotOneObjectWithTheList) {
  const std::string no_list = "JSON document has no \"images\" list.";
  const std::string malformed = "Malformed JSON in request body.";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"image": []})", no_list},
      {R"({"images": {}})", no_list},
      {R"({"x": "images", "y": []})", no_list},
      {R"([{"images": []}])", no_list},
      {R"({"images": [], "images": []})", no_list},
      {R"({"images": [1, 2]})", malformed},
      {R"({"images": ["a"]})", malformed},
      {R"({"images": [{}, , {}]})", malformed},
      {R"({"images": [{}]})"
       "x",
       malformed},
      {R"({"images": [{}])", malformed},
      {R"({"images": [{"a": "b)", malformed},
      {"]", malformed},
      {"", malformed},
  };
  for (const auto& [text, error] : cases) {
    for (size_t piece : {size_t{0}, size_t{1}}) {
      auto got = split(text, piece);
      Result<void> outcome = got.fed ? got.finished : got.fed;
      ASSERT_FALSE(outcome) << text;
      EXPECT_EQ(outcome.error().message(), error) << text;
      EXPECT_EQ(outcome.error().code(), Errc::bad_request) << text;
    }
  }
}

TEST(JsonListSplitter, LimitsApplyToEachElementAndToTheRestNotToTheWhole) {
  JsonLimits limits;
  limits.max_bytes = 64;
  limits.max_depth = 5;
  std::string many = R"({"images": [)";
  for (int i = 0; i < 1000; ++i) many += std::string(i ? "," : "") + R"({"id": "abcdefgh"})";
  many += "]}";
  auto fine = split(many, 100, limits);
  EXPECT_TRUE(fine.fed && fine.finished);
  EXPECT_EQ(fine.elements.size(), 1000u);

  auto big = split(R"({"images": [{"id": ")" + std::string(64, 'x') + R"("}]})", 10, limits);
  ASSERT_FALSE(big.fed);
  EXPECT_EQ(big.fed.error().code(), Errc::payload_too_large);
  EXPECT_TRUE(big.elements.empty());

  auto padded = split(R"({"images": [], "pad": ")" + std::string(64, 'x') + "\"}", 10, limits);
  ASSERT_FALSE(padded.fed);
  EXPECT_EQ(padded.fed.error().code(), Errc::payload_too_large);

  auto deep = split(R"({"images": [{"a": [[[[1]]]]}]})", 3, limits);
  ASSERT_FALSE(deep.fed);
  EXPECT_EQ(deep.fed.error().message(), "JSON nested deeper than 5 levels.");
  // A deep document never becomes a deep counter: the splitter stops at the first excess.
  auto deeper = split(R"({"x": )" + std::string(100000, '['), 1000, limits);
  ASSERT_FALSE(deeper.fed);
  EXPECT_EQ(deeper.fed.error().message(), "JSON nested deeper than 5 levels.");
}

TEST(JsonListSplitter, AnElementRefusedStopsItForGood) {
  JsonListSplitter splitter("images", {});
  int seen = 0;
  const auto refuse_second = [&](std::string_view) -> Result<void> {
    if (++seen == 2) return Error::internal("bad image");
    return {};
  };
  auto fed = splitter.feed(R"({"images": [{}, {}, {}]})", refuse_second);
  ASSERT_FALSE(fed);
  EXPECT_EQ(fed.error().message(), "bad image");
  EXPECT_EQ(seen, 2);
  EXPECT_EQ(splitter.elements(), 1u);
  EXPECT_FALSE(splitter.feed("", refuse_second));
  EXPECT_FALSE(splitter.finish());
  EXPECT_EQ(seen, 2);
}

}  // namespace
}  // namespace glance::common
