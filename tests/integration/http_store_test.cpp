// The read-only http store against a real HTTP server on loopback: sizes by HEAD, streamed
// and ranged reads, redirects, and the address and redirect checks a caller hands it.

#include "store/http/http_store.h"
#include "tests/support/source_server.h"
#include "tests/support/store_io.h"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

namespace glance::store {
namespace {

namespace net = boost::asio;
using common::Errc;
using glance::testing::read_image;

class HttpStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string data(200000, '\0');
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 + i / 251);
    data_ = data;
    source_.put("/image.raw", data_);
  }
  template <class R>
  R await(net::awaitable<R> task) {
    return glance::testing::await(ioc_, std::move(task));
  }
  common::Result<std::string> read(const std::string& path, const ReadOptions& options = {}) {
    const Location where{source_.url(path)};
    return await(read_image(store_, where, options));
  }
  common::Result<uint64_t> size(const std::string& path, const ReadOptions& options = {}) {
    const Location where{source_.url(path)};
    return await(store_.size(where, options));
  }

  net::io_context ioc_;
  testing::SourceServer source_;
  HttpStore store_{HttpStoreConfig{}};
  std::string data_;
};

TEST_F(HttpStoreTest, SizeAndDataAndSpan) {
  EXPECT_EQ(size("/image.raw").value(), data_.size());
  auto whole = read("/image.raw");
  ASSERT_TRUE(whole) << whole.error().message();
  EXPECT_TRUE(*whole == data_);
  ReadOptions span;
  span.span = ByteSpan{65530, 20};
  EXPECT_EQ(read("/image.raw", span).value(), data_.substr(65530, 20));
}

TEST_F(HttpStoreTest, ASpanFromAServerThatIgnoresRangesIsCutOut) {
  // /nolength/ answers 200 with the whole body whatever the Range says.
  ReadOptions span;
  span.span = ByteSpan{100000, 30};
  EXPECT_EQ(read("/nolength/image.raw", span).value(), data_.substr(100000, 30));
}

TEST_F(HttpStoreTest, ABodyWithoutLengthEndsWithTheConnection) {
  EXPECT_EQ(size("/nolength/image.raw").value(), 0u);
  auto whole = read("/nolength/image.raw");
  ASSERT_TRUE(whole) << whole.error().message();
  EXPECT_EQ(whole->size(), data_.size());
}

TEST_F(HttpStoreTest, RedirectsAreFollowedToABound) {
  // /redirect/4/ answers five redirects in all.
  EXPECT_TRUE(read("/redirect/4/image.raw").value() == data_);
  auto too_many = read("/redirect/5/image.raw");
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().code(), Errc::bad_request);
}

TEST_F(HttpStoreTest, NotFoundAndRefusals) {
  EXPECT_EQ(read("/missing").error().code(), Errc::not_found);
  EXPECT_EQ(size("/missing").error().code(), Errc::not_found);
  EXPECT_EQ(read("/status/403").error().code(), Errc::bad_request);
}

TEST_F(HttpStoreTest, UnreachableIsUnavailableForDataAndBadRequestForSize) {
  const Location closed{"http://127.0.0.1:1/image.raw"};
  const ReadOptions none;
  EXPECT_EQ(await(read_image(store_, closed, none)).error().code(), Errc::unavailable);
  EXPECT_EQ(await(store_.size(closed, none)).error().code(), Errc::bad_request);
}

TEST_F(HttpStoreTest, TheAddressCheckSeesResolvedAddresses) {
  std::vector<std::string> seen;
  ReadOptions guarded;
  guarded.check_address = [&seen](std::string_view host, const net::ip::address& address) {
    seen.push_back(std::string(host) + "=" + address.to_string());
    return common::Result<void>(common::Error::bad_request("refused"));
  };
  const Location by_name{"http://localhost:" + std::to_string(source_.port()) + "/image.raw"};
  auto r = await(read_image(store_, by_name, guarded));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "refused");
  ASSERT_FALSE(seen.empty());
  EXPECT_TRUE(seen.front() == "localhost=127.0.0.1" || seen.front() == "localhost=::1")
      << seen.front();
  EXPECT_EQ(source_.hits("/image.raw"), 0u) << "nothing may reach a refused address";
}

TEST_F(HttpStoreTest, EveryRedirectTargetIsVetted) {
  ReadOptions guarded;
  std::vector<std::string> vetted;
  guarded.check_uri = [&vetted](std::string_view uri) {
    vetted.emplace_back(uri);
    if (uri.find("/redirect/0/") != std::string_view::npos)
      return common::Result<void>(common::Error::bad_request("not there"));
    return common::Result<void>();
  };
  auto r = read("/redirect/2/image.raw", guarded);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "not there");
  EXPECT_EQ(vetted.size(), 2u);
  EXPECT_EQ(source_.hits("/redirect/0/image.raw"), 0u);
}

// A connection kept alive after an unchecked read (an operator's location) would otherwise
// carry a checked one (a client's copy_from) to an address its check refuses.
TEST_F(HttpStoreTest, APooledConnectionIsVettedAgainBeforeReuse) {
  auto unchecked = read("/keepalive/image.raw");
  ASSERT_TRUE(unchecked) << unchecked.error().message();
  EXPECT_TRUE(*unchecked == data_);
  auto size_unchecked = size("/keepalive/image.raw");
  ASSERT_TRUE(size_unchecked) << size_unchecked.error().message();
  ASSERT_EQ(source_.hits("/keepalive/image.raw"), 2u);
  std::vector<std::string> seen;
  ReadOptions guarded;
  guarded.check_address = [&seen](std::string_view host, const net::ip::address& address) {
    seen.push_back(std::string(host) + "=" + address.to_string());
    return common::Result<void>(common::Error::bad_request("refused"));
  };
  auto r = read("/keepalive/image.raw", guarded);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "refused");
  auto s = size("/keepalive/image.raw", guarded);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(), "refused");
  EXPECT_EQ(source_.hits("/keepalive/image.raw"), 2u) << "nothing may reach a refused address";
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front(), "127.0.0.1=127.0.0.1");
  // An accepting check may reuse it.
  ReadOptions accepting;
  accepting.check_address = [](std::string_view, const net::ip::address&) {
    return common::Result<void>();
  };
  EXPECT_TRUE(read("/keepalive/image.raw", accepting).value() == data_);
}

// Redirect targets are held to their own address check, whatever the location's was.
TEST_F(HttpStoreTest, RedirectTargetsGetTheRedirectAddressCheck) {
  ReadOptions options;
  options.check_address = [](std::string_view, const net::ip::address&) {
    return common::Result<void>();
  };
  options.check_redirect_address = [](std::string_view host, const net::ip::address&) {
    return common::Result<void>(common::Error::bad_request("redirect to " + std::string(host)));
  };
  EXPECT_TRUE(read("/image.raw", options).value() == data_);
  auto redirected = read("/redirect/0/image.raw", options);
  ASSERT_FALSE(redirected);
  EXPECT_EQ(redirected.error().message(), "redirect to 127.0.0.1");
  EXPECT_EQ(source_.hits("/image.raw"), 1u);
}

TEST_F(HttpStoreTest, ReadOnly) {
  EXPECT_FALSE(store_.writable());
  EXPECT_EQ(await(store_.begin_add("x", 0)).error().code(), Errc::gone);
  const Location where{source_.url("/image.raw")};
  EXPECT_EQ(await(store_.remove(where)).error().code(), Errc::forbidden);
}

}  // namespace
}  // namespace glance::store
