#pragma once

#include "common/error.h"
#include "common/http/body.h"
#include "common/image.h"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <optional>
#include <string>

namespace glance::api {

// The body of GET /v1/images ({"images": [<brief form>, ...]}) and, with `detail`, of
// GET /v1/images/detail (each image as image_to_api_json shows it), written as the images
// come from `next` (nullopt at the end), a few at a time as the client reads: a page of a
// thousand images is never whole in memory, neither as images nor as text. The bytes are
// those of common::dump_json on the whole document (each image's keys sorted, no spaces).
// An error from `next` ends the body with that error (the server then cuts the
// connection: a client never takes a part of a list for the whole).
class ImageListBody final : public common::http::BodyReader {
 public:
  using Next =
      std::function<boost::asio::awaitable<common::Result<std::optional<common::Image>>>()>;

  ImageListBody(Next next, bool detail) : next_(std::move(next)), detail_(detail) {}

  // glance::common::http::BodyReader
  boost::asio::awaitable<common::Result<size_t>> read_some(std::span<char> buf) override;

 private:
  Next next_;
  bool detail_;
  std::string pending_;  // rendered, not yet read
  size_t pending_at_ = 0;
  size_t images_ = 0;
  bool ended_ = false;
};

}  // namespace glance::api
