// The http client's keep-alive pool against a real HTTP server on loopback: a burst must not
// leave the pool at its peak size while steady traffic keeps only its newest connection busy.

#include "common/http/client.h"
#include "tests/support/eventually.h"
#include "tests/support/source_server.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

namespace glance::common::http {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;

TEST(HttpClientPool, ConnectionsIdleBeyondTheLimitAreClosedWhileOthersStayInUse) {
  glance::testing::SourceServer source;
  source.put("/object", std::string(4096, 'x'));
  // Before the client: pooled connections must close before their io_context goes.
  net::io_context ioc;
  ClientConfig config;
  config.max_idle_per_origin = 16;
  config.max_idle_time = 300ms;
  HttpClient client(config);
  const auto url = parse_http_url(source.url("/keepalive/object"));
  ASSERT_TRUE(url);
  ClientRequest request;
  request.target = url->target;
  size_t answered = 0;
  auto fetch_one = [&]() -> net::awaitable<void> {
    auto reply = co_await client.fetch(url->origin, request);
    if (reply && reply->status == 200 && reply->body.size() == 4096) ++answered;
  };

  // A burst: every fetch starts before any ends, so each opens its own connection.
  for (int i = 0; i < 8; ++i) net::co_spawn(ioc, fetch_one(), net::detached);
  ioc.run();
  ASSERT_EQ(answered, 8u);
  const size_t peak = source.open_connections();
  ASSERT_GT(peak, 1u);

  // Steady traffic, one request at a time, reuses the newest connection and keeps it fresh;
  // the others idle past the limit and are closed.
  EXPECT_TRUE(glance::testing::eventually(
      [&] {
        net::co_spawn(ioc, fetch_one(), net::detached);
        ioc.restart();
        ioc.run();
        return source.open_connections() == 1;
      },
      5s))
      << source.open_connections() << " of " << peak << " connections still open";
}

}  // namespace
}  // namespace glance::common::http
