#include "common/http/framing.h"

#include <gtest/gtest.h>

namespace glance::common::http {
namespace {

Headers fields(std::initializer_list<std::pair<const char*, const char*>> list) {
  Headers h;
  for (const auto& [name, value] : list) h.add(name, value);
  return h;
}

Errc refusal(unsigned version, const Headers& h) {
  auto r = check_request_framing(version, h);
  EXPECT_FALSE(r) << "accepted";
  return r ? Errc::internal : r.error().code();
}

TEST(RequestFraming, AcceptsPlainLengthsChunkedAndNoBody) {
  EXPECT_TRUE(check_request_framing(11, fields({{"Host", "x"}})));
  EXPECT_TRUE(check_request_framing(11, fields({{"Host", "x"}, {"Content-Length", "0"}})));
  EXPECT_TRUE(check_request_framing(11, fields({{"Host", "x"}, {"Content-Length", " 42 "}})));
  EXPECT_TRUE(check_request_framing(11, fields({{"Host", "x"}, {"Transfer-Encoding", "Chunked"}})));
  // HTTP/1.0 clients need not name the host.
  EXPECT_TRUE(check_request_framing(10, fields({{"Content-Length", "3"}})));
}

TEST(RequestFraming, RefusesEveryTransferEncodingButASingleChunked) {
  for (const char* te : {"chunked, chunked", "chunked, identity", "xchunked", "identity", "",
                         ",chunked", "chunked,", "chunked;q=1", "\"chunked\""}) {
    SCOPED_TRACE(te);
    EXPECT_EQ(refusal(11, fields({{"Host", "x"}, {"Transfer-Encoding", te}})), Errc::bad_request);
  }
  EXPECT_EQ(refusal(11, fields({{"Host", "x"},
                                {"Transfer-Encoding", "chunked"},
                                {"Transfer-Encoding", "chunked"}})),
            Errc::bad_request);
  // A coding we do not know, applied before chunked: well formed, but not ours to decode.
  EXPECT_EQ(refusal(11, fields({{"Host", "x"}, {"Transfer-Encoding", "gzip, chunked"}})),
            Errc::not_implemented);
  EXPECT_EQ(refusal(10, fields({{"Transfer-Encoding", "chunked"}})), Errc::bad_request);
}

TEST(RequestFraming, RefusesLengthsThatAreNotOnePlainNumber) {
  for (const char* cl : {"5, 5", "+5", "-1", "0x5", "5 5", "", "1e3", "99999999999999999999"}) {
    SCOPED_TRACE(cl);
    EXPECT_EQ(refusal(11, fields({{"Host", "x"}, {"Content-Length", cl}})), Errc::bad_request);
  }
  EXPECT_EQ(refusal(11, fields({{"Host", "x"}, {"Content-Length", "5"}, {"Content-Length", "5"}})),
            Errc::bad_request);
  EXPECT_EQ(
      refusal(11,
              fields({{"Host", "x"}, {"Content-Length", "5"}, {"Transfer-Encoding", "chunked"}})),
      Errc::bad_request);
}

TEST(RequestFraming, WantsExactlyOneHostInHttp11) {
  EXPECT_EQ(refusal(11, fields({})), Errc::bad_request);
  EXPECT_EQ(refusal(11, fields({{"Host", "a"}, {"host", "b"}})), Errc::bad_request);
  EXPECT_EQ(refusal(10, fields({{"Host", "a"}, {"Host", "a"}})), Errc::bad_request);
}

}  // namespace
}  // namespace glance::common::http
