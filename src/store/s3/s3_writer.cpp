#include "store/s3/s3_writer.h"

#include "store/pooled_digests.h"
#include "store/s3/s3_requests.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace glance::store {

namespace net = boost::asio;
using common::Error;
using common::Result;
using common::http::ClientExchange;
using s3::failure_of;
using s3::kErrorBodyLimit;
using s3::kNoBody;
using s3::object_name;
using s3::Request;

namespace {

// S3's limits: part numbers run from 1 to 10,000; parts but the last hold at least 5 MiB.
constexpr uint64_t kMaxParts = 10000;

// Receives one image: see S3Store for the three ways it goes out. `sent_` counts the bytes
// handed to the server, `received_` those handed to write().
class S3Writer final : public ImageWriter {
 public:
  S3Writer(s3::Client& client, s3::Bucket bucket, std::string key, std::string uri,
           uint64_t declared, uint64_t large_size, uint64_t chunk_size, BlockingPool& pool)
      : client_(client),
        bucket_(std::move(bucket)),
        key_(std::move(key)),
        uri_(std::move(uri)),
        declared_(declared),
        digests_(pool) {
    if (declared == 0) {
      mode_ = Mode::buffered;
      part_size_ = chunk_size;
    } else {
      mode_ = declared < large_size ? Mode::single : Mode::multipart;
      // Parts grow past the configured size when 10,000 of them could not hold the image.
      part_size_ = std::max(chunk_size, (declared + kMaxParts - 1) / kMaxParts);
    }
  }
  ~S3Writer() override {
    if (!upload_id_.empty())
      spdlog::warn("multipart upload {} of {} left unfinished without abort()", upload_id_,
                   object_name(bucket_, key_));
  }

  // glance::store::ImageWriter
  Task<void> write(std::span<const char> data) override;
  Task<StoredImage> commit() override;
  net::awaitable<void> abort() override;

 private:
  enum class Mode { single, multipart, buffered };

  Task<void> write_streamed(std::span<const char> data);
  Task<void> write_buffered(std::span<const char> data);
  Task<void> start_body(uint64_t length, bool whole_object);
  Task<void> finish_body();
  Task<void> send_buffer(bool whole_object);
  Task<void> create_upload();
  Task<void> complete_upload();
  net::awaitable<void> cleanup();
  Task<void> finish_now();

  s3::Client& client_;
  const s3::Bucket bucket_;
  const std::string key_;
  const std::string uri_;
  const uint64_t declared_;
  Mode mode_;
  uint64_t part_size_;
  PooledDigests digests_;  // its destructor waits for the hashing of the caller's last chunk
  uint64_t received_ = 0;
  uint64_t sent_ = 0;

  // The request whose body is going out, and how many bytes it still expects.
  std::unique_ptr<ClientExchange> body_;
  uint64_t body_left_ = 0;
  bool body_is_object_ = false;
  std::string upload_id_;
  std::vector<std::string> etags_;  // per part, in part order
  std::vector<char> buffer_;        // Mode::buffered: at most one part
  // The whole object may exist under its key: cleanup must delete it.
  bool object_written_ = false;
  bool failed_ = false;
  bool committed_ = false;
};

Task<void> S3Writer::write(std::span<const char> data) {
  if (failed_ || committed_) co_return Error::internal("write after the image data was finished");
  if (mode_ != Mode::buffered && received_ + data.size() > declared_) {
    failed_ = true;
    co_return Error::bad_request("Size exceeds: expected " + std::to_string(declared_) +
                                 " bytes, got " + std::to_string(received_ + data.size()));
  }
  co_await digests_.add(data);
  received_ += data.size();
  Result<void> written;
  if (mode_ == Mode::buffered)
    written = co_await write_buffered(data);
  else
    written = co_await write_streamed(data);
  if (!written) failed_ = true;
  co_return written;
}

Task<void> S3Writer::write_streamed(std::span<const char> data) {
  while (!data.empty()) {
    if (!body_) {
      const bool whole = mode_ == Mode::single;
      const uint64_t length = whole ? declared_ : std::min(part_size_, declared_ - sent_);
      if (auto started = co_await start_body(length, whole); !started) co_return started;
    }
    const std::span<const char> piece = data.first(std::min<uint64_t>(data.size(), body_left_));
    if (auto w = co_await body_->write(piece); !w) co_return w;
    body_left_ -= piece.size();
    sent_ += piece.size();
    data = data.subspan(piece.size());
    if (body_left_ == 0)
      if (auto finished = co_await finish_body(); !finished) co_return finished;
  }
  co_return Result<void>();
}

Task<void> S3Writer::write_buffered(std::span<const char> data) {
  while (!data.empty()) {
    // A full part goes out only once more data shows it is not the last.
    if (buffer_.size() == part_size_)
      if (auto sent = co_await send_buffer(false); !sent) co_return sent;
    const size_t n = std::min<uint64_t>(data.size(), part_size_ - buffer_.size());
    if (buffer_.size() + n > buffer_.capacity())
      buffer_.reserve(
          std::min<uint64_t>(part_size_, std::max(2 * buffer_.size(), buffer_.size() + n)));
    buffer_.insert(buffer_.end(), data.begin(), data.begin() + static_cast<ptrdiff_t>(n));
    data = data.subspan(n);
  }
  co_return Result<void>();
}

Task<void> S3Writer::send_buffer(bool whole_object) {
  if (auto started = co_await start_body(buffer_.size(), whole_object); !started) co_return started;
  const std::span<const char> bytes(buffer_.data(), buffer_.size());
  if (auto w = co_await body_->write(bytes); !w) co_return w;
  body_left_ = 0;
  sent_ += bytes.size();
  if (auto finished = co_await finish_body(); !finished) co_return finished;
  buffer_.clear();
  co_return Result<void>();
}

Task<void> S3Writer::start_body(uint64_t length, bool whole_object) {
  Request request{"PUT", key_, {}, {}};
  if (!whole_object) {
    if (upload_id_.empty())
      if (auto created = co_await create_upload(); !created) co_return created;
    if (etags_.size() == kMaxParts)
      co_return Error::storage_full("The image needs more than 10000 parts of " +
                                    std::to_string(part_size_) +
                                    " bytes; raise s3_store_large_object_chunk_size");
    request.query = {{"partNumber", std::to_string(etags_.size() + 1)}, {"uploadId", upload_id_}};
  }
  const std::optional<uint64_t> body_length = length;
  auto exchange = co_await client_.start(bucket_, request, body_length);
  if (!exchange) co_return exchange.error();
  body_ = std::move(*exchange);
  body_left_ = length;
  body_is_object_ = whole_object;
  co_return Result<void>();
}

Task<void> S3Writer::finish_body() {
  auto exchange = std::move(body_);
  // Once the last byte is out the server may store the object whatever we read back.
  if (body_is_object_) object_written_ = true;
  auto head = co_await exchange->response();
  if (!head) co_return head.error();
  const std::string what = "uploading " + object_name(bucket_, key_);
  if (head->status / 100 != 2) {
    object_written_ = false;
    co_return co_await failure_of(*exchange, head->status, what);
  }
  if (!body_is_object_) {
    auto etag = head->headers.get("ETag");
    if (!etag)
      co_return Error::internal(what + ": no ETag for part " + std::to_string(etags_.size() + 1));
    etags_.emplace_back(*etag);
  }
  // Read to the end so the connection can carry the next part.
  if (auto rest = co_await exchange->read_all(kErrorBodyLimit); !rest) co_return rest.error();
  co_return Result<void>();
}

Task<void> S3Writer::create_upload() {
  const Request request{"POST", key_, {{"uploads", ""}}, {}};
  auto reply = co_await client_.fetch(bucket_, request, kNoBody);
  const std::string what = "starting a multipart upload of " + object_name(bucket_, key_);
  if (!reply) co_return reply.error();
  if (reply->status != 200) co_return s3::error_from(reply->status, reply->body, what);
  auto id = s3::xml_text(reply->body, "UploadId");
  if (!id || id->empty()) co_return Error::internal(what + ": no UploadId in the answer");
  upload_id_ = std::move(*id);
  co_return Result<void>();
}

Task<void> S3Writer::complete_upload() {
  std::string xml = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < etags_.size(); ++i)
    xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" +
           s3::xml_escape(etags_[i]) + "</ETag></Part>";
  xml += "</CompleteMultipartUpload>";
  const Request request{"POST", key_, {{"uploadId", upload_id_}}, {}};
  auto reply = co_await client_.fetch(bucket_, request, xml);
  if (!reply) co_return reply.error();
  // S3 may answer 200 and report a failure in the body, after keeping the connection alive.
  if (reply->status != 200 || reply->body.find("<Error>") != std::string::npos)
    co_return s3::error_from(reply->status, reply->body,
                             "completing the multipart upload of " + object_name(bucket_, key_));
  upload_id_.clear();
  co_return Result<void>();
}

Task<void> S3Writer::finish_now() {
  if (mode_ != Mode::buffered) {
    if (received_ != declared_)
      co_return Error::bad_request("Size mismatch: expected " + std::to_string(declared_) +
                                   " bytes, got " + std::to_string(received_) + " bytes");
    if (mode_ == Mode::single) co_return Result<void>();  // stored with its last byte
    co_return co_await complete_upload();
  }
  if (upload_id_.empty()) co_return co_await send_buffer(true);
  if (auto sent = co_await send_buffer(false); !sent) co_return sent;
  co_return co_await complete_upload();
}

Task<StoredImage> S3Writer::commit() {
  if (failed_ || committed_) co_return Error::internal("commit after the image data was finished");
  auto digests = co_await digests_.finish();
  if (auto finished = co_await finish_now(); !finished) {
    failed_ = true;
    co_await cleanup();
    co_return finished.error();
  }
  committed_ = true;
  std::vector<char>().swap(buffer_);
  co_return StoredImage{Location{uri_}, received_, std::move(digests.md5),
                        std::move(digests.sha256)};
}

net::awaitable<void> S3Writer::abort() {
  if (committed_) co_return;
  failed_ = true;
  co_await digests_.wait();
  co_await cleanup();
}

// Never fails: what it cannot remove it logs.
net::awaitable<void> S3Writer::cleanup() {
  // Closing a connection in the middle of a body makes the server drop that body.
  body_.reset();
  const std::string what = object_name(bucket_, key_);
  if (!upload_id_.empty()) {
    const Request request{"DELETE", key_, {{"uploadId", upload_id_}}, {}};
    auto reply = co_await client_.fetch(bucket_, request, kNoBody);
    if (!reply || (reply->status / 100 != 2 && reply->status != 404))
      spdlog::warn("cannot abort multipart upload {} of {}: {}", upload_id_, what,
                   reply ? s3::error_from(reply->status, reply->body, "abort").message()
                         : reply.error().message());
    upload_id_.clear();
  }
  if (object_written_) {
    const Request request{"DELETE", key_, {}, {}};
    auto reply = co_await client_.fetch(bucket_, request, kNoBody);
    if (!reply || (reply->status / 100 != 2 && reply->status != 404))
      spdlog::warn("cannot remove the partial {}: {}", what,
                   reply ? s3::error_from(reply->status, reply->body, "delete").message()
                         : reply.error().message());
    object_written_ = false;
  }
  std::vector<char>().swap(buffer_);
}

}  // namespace

std::unique_ptr<ImageWriter> make_s3_writer(s3::Client& client, s3::Bucket bucket, std::string key,
                                            std::string uri, uint64_t declared, uint64_t large_size,
                                            uint64_t chunk_size, BlockingPool& pool) {
  return std::make_unique<S3Writer>(client, std::move(bucket), std::move(key), std::move(uri),
                                    declared, large_size, chunk_size, pool);
}

}  // namespace glance::store
