#include "store/rbd/rbd_reader.h"

#include "common/http/body.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace glance::store {

namespace net = boost::asio;
using common::Error;
using common::Result;

namespace {

class RbdBody final : public common::http::BodyReader {
 public:
  RbdBody(std::unique_ptr<RbdImage> image, uint64_t offset, uint64_t length, size_t chunk,
          BlockingPool& pool)
      : image_(std::move(image)),
        next_(offset),
        end_(offset + length),
        chunk_(chunk),
        pool_(pool) {}

  ~RbdBody() override {
    read_job_.wait_blocking();
    close_on_pool(pool_, std::move(image_));
  }

  net::awaitable<Result<size_t>> read_some(std::span<char> buf) override {
    if (pos_ == current_.size()) {
      if (!started_) start_read();
      if (read_job_.idle() && !ahead_ready_) co_return size_t{0};
      co_await read_job_.wait();
      if (!read_) co_return read_.error();
      std::swap(current_, ahead_);
      pos_ = 0;
      ahead_ready_ = false;
      if (current_.empty()) co_return size_t{0};
      start_read();
    }
    const size_t n = std::min(buf.size(), current_.size() - pos_);
    std::memcpy(buf.data(), current_.data() + pos_, n);
    pos_ += n;
    co_return n;
  }

 private:
  // Reads the next chunk into ahead_ on the pool; an empty ahead_ marks the end.
  void start_read() {
    started_ = true;
    ahead_ready_ = true;
    const size_t n = static_cast<size_t>(std::min<uint64_t>(chunk_, end_ - next_));
    const uint64_t at = next_;
    next_ += n;
    ahead_.resize(n);
    if (n == 0) {
      read_ = Result<void>();
      return;
    }
    read_job_.start(pool_, [this, at, n] {
      const ssize_t r = rbd_read(image_->handle(), at, n, ahead_.data());
      if (r < 0)
        read_ = rados_error(static_cast<int>(r), "reading RBD image " + image_->name());
      else if (static_cast<size_t>(r) != n)
        read_ = Error::internal("short read from RBD image " + image_->name());
      else
        read_ = Result<void>();
    });
  }

  std::unique_ptr<RbdImage> image_;
  uint64_t next_;  // where the next chunk starts
  const uint64_t end_;
  const size_t chunk_;
  BlockingPool& pool_;
  std::vector<char> current_;  // being handed out, from pos_
  size_t pos_ = 0;
  std::vector<char> ahead_;  // being read, or read and waiting
  bool started_ = false;
  bool ahead_ready_ = false;  // ahead_ holds (or will hold) the chunk after current_
  Result<void> read_;
  // Declared last, so destroyed first: its job writes ahead_ and read_.
  PoolJob read_job_;
};

class RbdReader final : public ImageReader {
 public:
  RbdReader(std::unique_ptr<RbdBody> body, uint64_t length)
      : body_(std::move(body)), length_(length) {}
  // glance::store::ImageReader
  std::optional<uint64_t> size() const override { return length_; }
  ImageBody take_body() override { return common::http::StreamBody{std::move(body_), length_}; }

 private:
  std::unique_ptr<RbdBody> body_;
  uint64_t length_;
};

}  // namespace

std::unique_ptr<ImageReader> make_rbd_reader(std::unique_ptr<RbdImage> image, uint64_t offset,
                                             uint64_t length, size_t chunk, BlockingPool& pool) {
  return std::make_unique<RbdReader>(
      std::make_unique<RbdBody>(std::move(image), offset, length, chunk, pool), length);
}

}  // namespace glance::store
