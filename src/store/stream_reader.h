#pragma once

#include "common/http/body.h"
#include "common/http/response.h"
#include "store/store.h"

#include <cstdint>
#include <memory>
#include <optional>

namespace glance::store {

// Hands a streamed HTTP body (a GET's answer from a remote store) to the api as a StreamBody.
// `size` is the number of bytes the body carries, unset when only its end tells. Owns the body
// until take_body(). Not thread-safe, like every ImageReader.
class StreamReader final : public ImageReader {
 public:
  StreamReader(std::unique_ptr<common::http::BodyReader> body, std::optional<uint64_t> size)
      : body_(std::move(body)), size_(size) {}

  // glance::store::ImageReader
  std::optional<uint64_t> size() const override { return size_; }
  ImageBody take_body() override { return common::http::StreamBody{std::move(body_), size_}; }

 private:
  std::unique_ptr<common::http::BodyReader> body_;
  std::optional<uint64_t> size_;
};

}  // namespace glance::store
