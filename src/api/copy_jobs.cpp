#include "api/copy_jobs.h"

#include "api/external_source.h"
#include "api/image_notices.h"
#include "common/uri_redaction.h"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

namespace glance::api {

namespace net = boost::asio;
using common::Error;
using common::Result;

namespace {
// The source's bytes, failing once the daemon gives up on running copies.
class CancellableBody final : public common::http::BodyReader {
 public:
  CancellableBody(common::http::BodyReader& source, const std::atomic<bool>& cancelled)
      : source_(source), cancelled_(cancelled) {}

  net::awaitable<Result<size_t>> read_some(std::span<char> buf) override {
    if (cancelled_) co_return Error::unavailable("glance-api is stopping; copy abandoned");
    co_return co_await source_.read_some(buf);
  }

 private:
  common::http::BodyReader& source_;
  const std::atomic<bool>& cancelled_;
};

// A file range as a stream, for a copy whose source is a local file location. Not reachable
// from clients (file sources are refused), but the store interface allows it.
class FileRangeBody final : public common::http::BodyReader {
 public:
  explicit FileRangeBody(common::http::FileRange range) : range_(std::move(range)) {}
  net::awaitable<Result<size_t>> read_some(std::span<char> buf) override {
    if (range_.length == 0) co_return size_t{0};
    ssize_t n = ::pread(range_.fd, buf.data(), std::min<uint64_t>(buf.size(), range_.length),
                        static_cast<off_t>(range_.offset));
    if (n <= 0) co_return Error::internal("cannot read the source file");
    range_.offset += static_cast<uint64_t>(n);
    range_.length -= static_cast<uint64_t>(n);
    co_return static_cast<size_t>(n);
  }

 private:
  common::http::FileRange range_;
};
}  // namespace

void CopyJobs::start(const net::any_io_executor& executor, const Caller& caller,
                     const common::Image& image, const std::string& uri, store::Store& target,
                     ConcurrencyLimit::Slot slot) {
  ++running_;
  net::co_spawn(executor, copy(caller, image, uri, target, std::move(slot)), net::detached);
}

net::awaitable<void> CopyJobs::copy(Caller caller, common::Image image, std::string uri,
                                    store::Store& target, ConcurrencyLimit::Slot slot) {
  struct Done {
    std::atomic<size_t>& running;
    ~Done() { --running; }
  } done{running_};
  const std::string where_text = common::redact_credentials(uri);
  store::Location where{uri};
  auto* source_store = stores_.for_location(where);
  const auto options = source_read_options(policy_, SourceUse::copy_from);
  Result<std::unique_ptr<store::ImageReader>> source =
      Error::bad_request("no store for " + where_text);
  if (source_store) source = co_await source_store->open(where, options);
  if (!source) {
    spdlog::warn("{} copy of image {} from {} could not start: {}", caller.request_id, image.id,
                 where_text, source.error().message());
    common::ImageFields kill;
    kill.status = common::ImageStatus::killed;
    co_await registry_.update(caller, image.id, kill, false, common::ImageStatus::queued);
    co_return;
  }
  auto body = (*source)->take_body();
  std::unique_ptr<common::http::BodyReader> reader;
  if (auto* stream = std::get_if<common::http::StreamBody>(&body))
    reader = std::move(stream->reader);
  else
    reader = std::make_unique<FileRangeBody>(std::move(std::get<common::http::FileRange>(body)));
  CancellableBody cancellable(*reader, cancelled_);
  notify_image(notifier_, "image.prepare", image);
  auto stored = co_await upload_image_data(registry_, target, caller, image, cancellable, limits_);
  if (stored)
    notify_uploaded(notifier_, *stored);
  else
    notify_upload_failed(notifier_, stored.error().message());
  if (stored)
    spdlog::info("{} image {} copied from {}: {} bytes", caller.request_id, image.id, where_text,
                 stored->size.value_or(0));
  else
    spdlog::warn("{} copy of image {} from {} failed: {}", caller.request_id, image.id, where_text,
                 stored.error().message());
}

}  // namespace glance::api
