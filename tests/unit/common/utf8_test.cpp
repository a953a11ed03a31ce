#include "common/utf8.h"

#include <gtest/gtest.h>

namespace glance::common {
namespace {

TEST(Utf8, AcceptsWellFormedText) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii \x01\x7f"));
  EXPECT_TRUE(is_valid_utf8(std::string_view("nul\0inside", 10)));
  EXPECT_TRUE(is_valid_utf8("\xc2\x80 \xdf\xbf"));                       // U+0080, U+07FF
  EXPECT_TRUE(is_valid_utf8("\xe0\xa0\x80 \xed\x9f\xbf \xef\xbf\xbf"));  // U+0800, U+D7FF, U+FFFF
  EXPECT_TRUE(is_valid_utf8("\xf0\x90\x80\x80 \xf4\x8f\xbf\xbf"));       // U+10000, U+10FFFF
  EXPECT_TRUE(is_valid_utf8("ünïcödé 😀 名前"));
}

TEST(Utf8, RefusesIllFormedText) {
  for (std::string_view bad : {
           "\x80",              // a lone continuation byte
           "\xbf",              //
           "\xc0\xaf",          // overlong '/'
           "\xc1\xbf",          // overlong
           "\xe0\x80\xaf",      // overlong, three bytes
           "\xf0\x80\x80\xaf",  // overlong, four bytes
           "\xed\xa0\x80",      // surrogate U+D800
           "\xed\xbf\xbf",      // surrogate U+DFFF
           "\xf4\x90\x80\x80",  // above U+10FFFF
           "\xf5\x80\x80\x80",  // no such lead byte
           "\xff",              //
           "\xfe",              //
           "\xc3",              // truncated at the end
           "\xe2\x82",          //
           "\xf0\x9f\x98",      //
           "\xc3(",             // a lead byte followed by ASCII
           "ok\xe2\x82z",       // truncated in the middle
       }) {
    EXPECT_FALSE(is_valid_utf8(bad)) << testing::PrintToString(std::string(bad));
  }
}

TEST(Utf8, ReplacesEachBadByteAndKeepsTheRest) {
  EXPECT_EQ(to_valid_utf8("ünï"), "ünï");
  EXPECT_EQ(to_valid_utf8("a\xff"
                          "b"),
            "a\xef\xbf\xbd"
            "b");
  EXPECT_EQ(to_valid_utf8("\xc3"), "\xef\xbf\xbd");
  EXPECT_EQ(to_valid_utf8("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_TRUE(is_valid_utf8(to_valid_utf8("\xf0\x9f\x98 \xc0\xaf \xf4\x90\x80\x80")));
}

}  // namespace
}  // namespace glance::common
