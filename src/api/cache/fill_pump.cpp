#include "api/cache/fill_pump.h"

#include "api/cache/cache_fill_reader.h"
#include "api/cache/fill_flight.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <vector>

namespace glance::api {

namespace net = boost::asio;

namespace {

constexpr size_t kPumpChunk = 64 * 1024;

net::awaitable<void> pump(std::unique_ptr<CacheFillReader> fill,
                          std::shared_ptr<FillFlight> flight) {
  std::vector<char> buf(kPumpChunk);
  while (!fill->settled() && flight->still_followed()) {
    auto n = co_await fill->read_some(buf);
    if (!n || *n == 0) break;
  }
  // Destroying an unsettled fill discards it.
}

}  // namespace

void start_fill_pump(net::any_io_executor executor, std::unique_ptr<CacheFillReader> fill,
                     std::shared_ptr<FillFlight> flight) {
  net::co_spawn(executor, pump(std::move(fill), std::move(flight)), net::detached);
}

}  // namespace glance::api
