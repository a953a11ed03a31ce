#include "store/swift/swift_writer.h"

#include "common/http/query_string.h"
#include "store/pooled_digests.h"
#include "store/swift/swift_requests.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <algorithm>
#include <cstdio>

namespace glance::store {

namespace net = boost::asio;
using common::Error;
using common::Result;
using common::http::ClientExchange;
using common::http::ClientRequest;
using common::http::Headers;
using common::http::percent_encode;
using swift::Backend;
using swift::call;
using swift::delete_objects;
using swift::kNoBody;
using swift::object_path;
using swift::prepare;
using swift::status_error;

namespace {

// The ETag of an empty body, sent with the manifest so Swift checks it arrived intact.
constexpr std::string_view kEmptyMd5 = "d41d8cd98f00b204e9800998ecf8427e";

std::string unquoted(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"')
    etag = etag.substr(1, etag.size() - 2);
  return std::string(etag);
}

Error size_mismatch(uint64_t declared, uint64_t received) {
  return Error::bad_request("Supplied size (" + std::to_string(declared) +
                            ") and size generated from uploaded image (" +
                            std::to_string(received) + ") did not match.");
}

// See make_swift_writer() in swift_writer.h for how an image goes up.
class SwiftWriter final : public ImageWriter {
 public:
  SwiftWriter(std::shared_ptr<Backend> backend, SwiftLocation where, uint64_t declared,
              BlockingPool& pool, net::any_io_executor executor)
      : backend_(std::move(backend)),
        where_(std::move(where)),
        who_(where_.credentials()),
        declared_(declared),
        single_(declared > 0 && declared < backend_->config.large_object_size),
        prefix_(where_.object + "-"),
        executor_(std::move(executor)),
        digests_(pool) {}

  ~SwiftWriter() override {
    part_.reset();
    if (state_ == State::finished || created_.empty()) return;
    // Nobody called abort(): delete in the background; the coroutine holds the backend.
    auto backend = backend_;
    auto who = who_;
    auto container = where_.container;
    auto names = std::move(created_);
    net::co_spawn(executor_, delete_objects(backend, who, container, names), net::detached);
  }

  // glance::store::ImageWriter
  Task<void> write(std::span<const char> data) override;
  Task<StoredImage> commit() override;
  net::awaitable<void> abort() override { co_await discard(); }

 private:
  enum class State { writing, failed, finished };

  Task<void> open_part();
  Task<void> close_part();
  Task<void> put_manifest();
  Task<StoredImage> seal();
  net::awaitable<void> discard();
  Error fail(Error e) {
    state_ = State::failed;
    part_.reset();
    return e;
  }
  std::string what(const std::string& name) const {
    return "object " + where_.container + "/" + name;
  }

  std::shared_ptr<Backend> backend_;
  SwiftLocation where_;
  SwiftCredentials who_;
  uint64_t declared_;
  bool single_;
  std::string prefix_;  // of this writer's segment names
  net::any_io_executor executor_;
  PooledDigests digests_;  // its destructor waits for the hashing of the caller's last chunk
  State state_ = State::writing;
  uint64_t size_ = 0;  // bytes passed to write()
  uint64_t sent_ = 0;  // bytes handed to PUT bodies
  // The PUT being streamed: the object it creates, its token, its fill and its length.
  std::unique_ptr<ClientExchange> part_;
  std::string part_name_;
  std::string part_token_;
  uint64_t part_bytes_ = 0;
  uint64_t part_limit_ = 0;
  size_t segments_ = 0;
  std::string etag_;                  // Swift's ETag of the single object
  std::vector<std::string> created_;  // objects of this writer to delete if it fails
};

Task<void> SwiftWriter::write(std::span<const char> data) {
  if (state_ != State::writing) co_return Error::internal("write after the upload ended");
  // A declared size went out in Content-Length headers: more bytes cannot be sent.
  if (declared_ > 0 && size_ + data.size() > declared_)
    co_return fail(size_mismatch(declared_, size_ + data.size()));
  co_await digests_.add(data);
  size_ += data.size();
  while (!data.empty()) {
    if (!part_) {
      auto opened = co_await open_part();
      if (!opened) co_return opened;
    }
    auto n = static_cast<size_t>(std::min<uint64_t>(data.size(), part_limit_ - part_bytes_));
    auto written = co_await part_->write(data.first(n));
    if (!written)
      co_return fail(Error::unavailable("Swift upload of " + what(part_name_) +
                                        " failed: " + written.error().message()));
    part_bytes_ += n;
    sent_ += n;
    data = data.subspan(n);
    if (part_bytes_ == part_limit_) {
      auto closed = co_await close_part();
      if (!closed) co_return closed;
    }
  }
  co_return Result<void>();
}

Task<void> SwiftWriter::open_part() {
  Headers headers;
  auto framing = ClientRequest::Framing::length;
  if (single_) {
    part_name_ = where_.object;
    part_limit_ = declared_;
    headers.set("If-None-Match", "*");
  } else {
    char number[24];
    std::snprintf(number, sizeof number, "%05zu", ++segments_);
    part_name_ = prefix_ + number;
    part_limit_ = backend_->config.large_object_chunk_size;
    if (declared_ > 0)
      part_limit_ = std::min(part_limit_, declared_ - sent_);
    else
      framing = ClientRequest::Framing::chunked;
  }
  const std::string path = object_path(where_.container, part_name_);
  auto p = co_await prepare(*backend_, who_, "PUT", path, headers, nullptr);
  if (!p) co_return fail(p.error());
  p->request.framing = framing;
  p->request.content_length = part_limit_;
  auto exchange = co_await backend_->client.start(p->origin, p->request);
  if (!exchange)
    co_return fail(Error::unavailable("Swift cannot be reached: " + exchange.error().message()));
  // Segment names are this writer's alone; the single object is only ours once Swift took it.
  if (!single_) created_.push_back(part_name_);
  part_ = std::move(*exchange);
  part_token_ = std::move(p->token);
  part_bytes_ = 0;
  co_return Result<void>();
}

Task<void> SwiftWriter::close_part() {
  auto head = co_await part_->response();
  if (!head)
    co_return fail(Error::unavailable("Swift upload of " + what(part_name_) +
                                      " failed: " + head.error().message()));
  // Read the short answer to its end, so that the connection can serve the next part.
  co_await part_->read_all(64 * 1024);
  part_.reset();
  const unsigned status = head->status;
  if (status / 100 == 2) {
    if (single_) {
      created_.push_back(part_name_);
      etag_ = unquoted(head->headers.get("ETag").value_or(""));
    }
    co_return Result<void>();
  }
  if (status == 412) co_return fail(Error::conflict("Swift already has an image at this location"));
  if (status == 401) {
    // The body is gone, so this upload cannot be retried; the next one gets a new token.
    backend_->auth.invalidate(who_, part_token_);
    co_return fail(Error::unavailable("Swift refused the store's token during the upload of " +
                                      what(part_name_) + "; a new upload authenticates again"));
  }
  co_return fail(status_error(status, "PUT of " + what(part_name_)));
}

Task<void> SwiftWriter::put_manifest() {
  Headers headers;
  headers.set("X-Object-Manifest",
              percent_encode(where_.container) + "/" + percent_encode(prefix_));
  headers.set("ETag", std::string(kEmptyMd5));
  // The name is this upload's own: a manifest already there is not ours to replace.
  headers.set("If-None-Match", "*");
  const std::string path = object_path(where_.container, where_.object);
  auto reply = co_await call(*backend_, who_, "PUT", path, headers, kNoBody);
  if (!reply) co_return fail(reply.error());
  if (reply->status / 100 == 2) co_return Result<void>();
  if (reply->status == 412)
    co_return fail(Error::conflict("Swift already has an image at this location"));
  co_return fail(status_error(reply->status, "PUT of the manifest " + what(where_.object)));
}

Task<StoredImage> SwiftWriter::commit() {
  auto stored = co_await seal();
  // After a failed commit nothing of this upload is left.
  if (!stored) co_await discard();
  co_return stored;
}

Task<StoredImage> SwiftWriter::seal() {
  if (state_ != State::writing) co_return Error::internal("commit after the upload ended");
  if (declared_ > 0 && size_ != declared_) co_return fail(size_mismatch(declared_, size_));
  if (part_) {
    auto closed = co_await close_part();
    if (!closed) co_return closed.error();
  }
  auto digests = co_await digests_.finish();
  if (single_) {
    if (etag_ != digests.md5)
      co_return fail(Error::internal("Swift's ETag of " + what(where_.object) + " (" + etag_ +
                                     ") is not the MD5 of the data sent (" + digests.md5 +
                                     "); the object is removed"));
  } else {
    auto manifest = co_await put_manifest();
    if (!manifest) co_return manifest.error();
  }
  state_ = State::finished;
  co_return StoredImage{Location{where_.uri()}, size_, std::move(digests.md5),
                        std::move(digests.sha256)};
}

net::awaitable<void> SwiftWriter::discard() {
  part_.reset();
  // The pool may still be hashing the caller's last chunk.
  co_await digests_.wait();
  if (state_ == State::finished) co_return;
  state_ = State::failed;
  auto names = std::move(created_);
  created_.clear();
  co_await delete_objects(backend_, who_, where_.container, names);
}

}  // namespace

std::unique_ptr<ImageWriter> make_swift_writer(std::shared_ptr<SwiftStore::Backend> backend,
                                               SwiftLocation where, uint64_t declared,
                                               BlockingPool& pool, net::any_io_executor executor) {
  return std::make_unique<SwiftWriter>(std::move(backend), std::move(where), declared, pool,
                                       std::move(executor));
}

}  // namespace glance::store
