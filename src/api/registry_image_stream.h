#pragma once

#include "common/error.h"
#include "common/http/body.h"
#include "common/image.h"
#include "common/json_list_splitter.h"

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

namespace glance::api {

// The images of a registry list answer ({"images": [...]}) read as its body arrives, one at a
// time: a page of a thousand images is never whole in memory, not even as text. What it holds
// at once is one read of the body (64 KiB) and the images completed in it.
//
// next() gives the images in order, then nullopt once the answer ended and proved to be one
// list. Errors, after which the stream gives nothing more: internal "registry returned an
// unexpected image list" for an answer that is not JSON, is nested too deep, has an image over
// `max_image_bytes`, or is not exactly one object with one "images" array of objects (found
// where the text goes wrong, which may be after images were given); image_from_json's error
// for an image that is not one (internal); registry_unreachable when the body stops
// (the registry went away). Not thread-safe.
class RegistryImageStream {
 public:
  RegistryImageStream(std::unique_ptr<common::http::BodyReader> body, size_t max_image_bytes);

  boost::asio::awaitable<common::Result<std::optional<common::Image>>> next();

 private:
  std::unique_ptr<common::http::BodyReader> body_;
  common::JsonListSplitter splitter_;
  std::vector<char> buffer_;
  std::deque<common::Image> ready_;
  common::Result<void> failed_;
  bool ended_ = false;
};

// The whole list of a stream; its errors.
boost::asio::awaitable<common::Result<std::vector<common::Image>>> read_all_images(
    RegistryImageStream& stream);

}  // namespace glance::api
