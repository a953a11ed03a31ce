#include "common/json_parse.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace glance::common {
namespace {

using nlohmann::json;

std::string nested_arrays(size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

TEST(ParseJson, BuildsTheSameDocumentAsNlohmann) {
  const std::string text =
      R"({"image": {"name": "ünï", "size": 5, "neg": -3, "big": 18446744073709551615,)"
      R"( "f": 1.5, "ok": true, "none": null, "props": {"a": "b"},)"
      R"( "list": [1, [2, {"x": [3]}], {}, []], "dup": 1, "dup": 2}})";
  auto parsed = parse_json(text);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(*parsed, json::parse(text));
  EXPECT_EQ((*parsed)["image"]["dup"], 2);  // the last duplicate wins, as in Python
}

TEST(ParseJson, TopLevelScalarsAreDocumentsToo) {
  EXPECT_EQ(*parse_json("\"x\""), json("x"));
  EXPECT_EQ(*parse_json(" 7 "), json(7));
  EXPECT_EQ(*parse_json("null"), json(nullptr));
}

TEST(ParseJson, AcceptsThirtyTwoLevelsAndRefusesThirtyThree) {
  auto ok = parse_json(nested_arrays(32));
  ASSERT_TRUE(ok) << ok.error().message();
  auto deep = parse_json(nested_arrays(33));
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().code(), Errc::bad_request);
  EXPECT_EQ(deep.error().message(), "JSON nested deeper than 32 levels.");

  std::string objects;
  for (int i = 0; i < 33; ++i) objects += R"({"k":)";
  objects += "1" + std::string(33, '}');
  EXPECT_FALSE(parse_json(objects));
  EXPECT_TRUE(parse_json(objects.substr(5, objects.size() - 6)));  // one level fewer
}

TEST(ParseJson, DepthCountsNestingNotContainers) {
  std::string wide = "[";
  for (int i = 0; i < 10000; ++i) wide += (i ? "," : "") + nested_arrays(31);
  wide += "]";
  EXPECT_TRUE(parse_json(wide, JsonLimits{32, wide.size()}));
}

TEST(ParseJson, FourHundredThousandOpenBracketsAreRefusedQuickly) {
  const std::string hostile(400000, '[');
  auto started = std::chrono::steady_clock::now();
  auto r = parse_json(hostile);
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Errc::bad_request);
  EXPECT_EQ(r.error().message(), "JSON nested deeper than 32 levels.");
  EXPECT_LT(took, std::chrono::seconds(1));
  // Refused at the 33rd bracket, before the parser reaches what follows it.
  EXPECT_EQ(parse_json(std::string(33, '[') + "garbage").error().message(),
            "JSON nested deeper than 32 levels.");

  const std::string balanced = nested_arrays(400000);
  EXPECT_FALSE(parse_json(balanced, JsonLimits{32, balanced.size()}));
}

TEST(ParseJson, RefusesTextOverTheSizeLimitBeforeParsing) {
  const std::string huge_string = "\"" + std::string((1 << 20) + 1, 'a') + "\"";
  auto r = parse_json(huge_string);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Errc::payload_too_large);
  EXPECT_TRUE(parse_json(huge_string, JsonLimits{32, huge_string.size()}));
  EXPECT_EQ(parse_json("[1, 2]", JsonLimits{32, 5}).error().code(), Errc::payload_too_large);
  EXPECT_TRUE(parse_json("[1,2]", JsonLimits{32, 5}));
}

TEST(ParseJson, RefusesMalformedText) {
  for (std::string_view bad :
       {"", "{", "[1,]", "{\"a\" 1}", "[1] [2]", "nul", "{\"a\":1}x", "[1e999]", "\"\\ud800\""}) {
    auto r = parse_json(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code(), Errc::bad_request) << bad;
    EXPECT_EQ(r.error().message(), "Malformed JSON in request body.") << bad;
  }
}

TEST(ParseJson, RefusesInvalidUtf8InStringsAndKeys) {
  EXPECT_FALSE(parse_json("[\"a\xff\"]"));
  EXPECT_FALSE(parse_json("{\"\xc3\":1}"));
  EXPECT_FALSE(parse_json("[\"\xed\xa0\x80\"]"));  // an encoded surrogate
  EXPECT_FALSE(parse_json("[\"\xc0\xaf\"]"));      // overlong '/'
  EXPECT_TRUE(parse_json("[\"\xf0\x9f\x98\x80\"]"));
}

TEST(DumpJson, WritesInvalidUtf8AsReplacementInsteadOfThrowing) {
  json doc = {{"message", std::string("id \xff\xfe end")}};
  EXPECT_THROW((void)doc.dump(), json::type_error);  // what dump_json exists to avoid
  std::string text = dump_json(doc);
  EXPECT_EQ(text, "{\"message\":\"id \xef\xbf\xbd\xef\xbf\xbd end\"}");
  EXPECT_TRUE(parse_json(text));
}

TEST(DumpJson, RoundTripsValidDocuments) {
  const std::string text = R"({"a":[1,2.5,"ü",null,true],"b":{"c":"\n"}})";
  EXPECT_EQ(dump_json(*parse_json(text)), text);
}

}  // namespace
}  // namespace glance::common
