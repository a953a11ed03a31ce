#pragma once

#include "common/http/body.h"

#include <boost/asio/any_io_executor.hpp>

#include <memory>

namespace glance::api {

class CacheFillReader;
class FillFlight;

// The body of the download that leads a fill: the store's bytes straight from `fill`, as
// without followers, so the leader's client sees no delay and a checksum mismatch reaches it
// as an uncached download would (followers, who only see verified ends, are cut instead).
// The fill goes at the pace of the leader's client, and no follower gets ahead of it.
//
// If it is destroyed (its client left) before the fill settled while downloads still follow
// it, the fill is not discarded: it is carried on, detached on `executor` (the one the store's
// reader works on), reading the store into the cache with a buffer of its own, so that the
// followers get the whole image rather than a cut they did nothing to cause. It stops, and the
// fill is discarded, as soon as it finds no follower left; with none at the start the fill is
// discarded at once, as it always was. Not thread-safe.
class FillLeader final : public common::http::BodyReader {
 public:
  FillLeader(std::unique_ptr<CacheFillReader> fill, std::shared_ptr<FillFlight> flight,
             boost::asio::any_io_executor executor);
  ~FillLeader() override;

  // glance::common::http::BodyReader
  boost::asio::awaitable<common::Result<size_t>> read_some(std::span<char> buf) override;

 private:
  std::unique_ptr<CacheFillReader> fill_;
  std::shared_ptr<FillFlight> flight_;
  boost::asio::any_io_executor executor_;
};

}  // namespace glance::api
