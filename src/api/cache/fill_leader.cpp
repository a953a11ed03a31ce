#include "api/cache/fill_leader.h"

#include "api/cache/cache_fill_reader.h"
#include "api/cache/fill_flight.h"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <vector>

namespace glance::api {

namespace net = boost::asio;
using common::Result;

namespace {

constexpr size_t kCarryOnChunk = 64 * 1024;

net::awaitable<void> carry_on(std::unique_ptr<CacheFillReader> fill,
                              std::shared_ptr<FillFlight> flight) {
  std::vector<char> buf(kCarryOnChunk);
  while (!fill->settled() && flight->still_followed()) {
    auto n = co_await fill->read_some(buf);
    if (!n || *n == 0) break;
  }
  // Destroying an unsettled fill discards it.
}

}  // namespace

FillLeader::FillLeader(std::unique_ptr<CacheFillReader> fill, std::shared_ptr<FillFlight> flight,
                       net::any_io_executor executor)
    : fill_(std::move(fill)), flight_(std::move(flight)), executor_(std::move(executor)) {}

FillLeader::~FillLeader() {
  if (fill_->settled() || !flight_->still_followed()) return;
  spdlog::info("image cache: the download filling {} left; the fill goes on for those following it",
               fill_->image_id());
  net::co_spawn(executor_, carry_on(std::move(fill_), std::move(flight_)), net::detached);
}

net::awaitable<Result<size_t>> FillLeader::read_some(std::span<char> buf) {
  co_return co_await fill_->read_some(buf);
}

}  // namespace glance::api
