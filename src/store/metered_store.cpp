#include "store/metered_store.h"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>

#include <chrono>

namespace glance::store {

namespace {

using common::Errc;
using common::Result;
using Seconds = std::chrono::duration<double>;
using SteadyClock = std::chrono::steady_clock;

const prometheus::Histogram::BucketBoundaries kBuckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};

// One operation's series: a counter per outcome and the latency histogram.
struct OperationSeries {
  prometheus::Counter* ok = nullptr;
  prometheus::Counter* not_found = nullptr;
  prometheus::Counter* error = nullptr;
  prometheus::Counter* aborted = nullptr;  // add only
  prometheus::Histogram* duration = nullptr;

  void record(prometheus::Counter* outcome, SteadyClock::time_point started) const {
    outcome->Increment();
    duration->Observe(Seconds(SteadyClock::now() - started).count());
  }
  template <class T>
  void record(const Result<T>& result, SteadyClock::time_point started) const {
    if (result) return record(ok, started);
    record(result.error().code() == Errc::not_found && not_found ? not_found : error, started);
  }
};

struct StoreSeries {
  OperationSeries get, add, remove, size, remove_leftovers;
  prometheus::Counter* written = nullptr;
  prometheus::Counter* read = nullptr;
};

StoreSeries resolve(const std::string& name, common::metrics::Metrics& metrics) {
  auto& registry = metrics.registry();
  auto& operations = prometheus::BuildCounter()
                         .Name("glance_store_operations_total")
                         .Help("Image store operations, by store, operation and outcome.")
                         .Register(registry);
  auto& durations = prometheus::BuildHistogram()
                        .Name("glance_store_operation_duration_seconds")
                        .Help("Image store operation latency, by store and operation, in seconds.")
                        .Register(registry);
  auto series = [&](const std::string& op, std::initializer_list<const char*> outcomes) {
    OperationSeries s;
    for (std::string outcome : outcomes) {
      auto* c = &operations.Add({{"store", name}, {"operation", op}, {"outcome", outcome}});
      (outcome == "ok"          ? s.ok
       : outcome == "not_found" ? s.not_found
       : outcome == "aborted"   ? s.aborted
                                : s.error) = c;
    }
    s.duration = &durations.Add({{"store", name}, {"operation", op}}, kBuckets);
    return s;
  };
  StoreSeries s;
  s.get = series("get", {"ok", "not_found", "error"});
  s.add = series("add", {"ok", "error", "aborted"});
  s.remove = series("delete", {"ok", "not_found", "error"});
  s.size = series("size", {"ok", "not_found", "error"});
  // A sweep finds nothing as often as something: no not_found.
  s.remove_leftovers = series("remove_leftovers", {"ok", "error"});
  s.written = &prometheus::BuildCounter()
                   .Name("glance_store_written_bytes_total")
                   .Help("Image data bytes written to the store.")
                   .Register(registry)
                   .Add({{"store", name}});
  s.read = &prometheus::BuildCounter()
                .Name("glance_store_read_bytes_total")
                .Help("Image data bytes read from the store (file ranges count whole).")
                .Register(registry)
                .Add({{"store", name}});
  return s;
}

class CountingBody final : public common::http::BodyReader {
 public:
  CountingBody(std::unique_ptr<common::http::BodyReader> inner, prometheus::Counter& read)
      : inner_(std::move(inner)), read_(read) {}
  boost::asio::awaitable<Result<size_t>> read_some(std::span<char> buf) override {
    auto n = co_await inner_->read_some(buf);
    if (n) read_.Increment(static_cast<double>(*n));
    co_return n;
  }

 private:
  std::unique_ptr<common::http::BodyReader> inner_;
  prometheus::Counter& read_;
};

class MeteredReader final : public ImageReader {
 public:
  MeteredReader(std::unique_ptr<ImageReader> inner, prometheus::Counter& read)
      : inner_(std::move(inner)), read_(read) {}
  // glance::store::ImageReader
  std::optional<uint64_t> size() const override { return inner_->size(); }
  ImageBody take_body() override {
    ImageBody body = inner_->take_body();
    if (auto* range = std::get_if<common::http::FileRange>(&body))
      read_.Increment(static_cast<double>(range->length));
    else if (auto* stream = std::get_if<common::http::StreamBody>(&body))
      stream->reader = std::make_unique<CountingBody>(std::move(stream->reader), read_);
    return body;
  }

 private:
  std::unique_ptr<ImageReader> inner_;
  prometheus::Counter& read_;
};

// Counts one add from begin_add to its end: commit, abort, or destruction.
class MeteredWriter final : public ImageWriter {
 public:
  MeteredWriter(std::unique_ptr<ImageWriter> inner, const StoreSeries& series,
                SteadyClock::time_point started)
      : inner_(std::move(inner)), series_(series), started_(started) {}
  ~MeteredWriter() override { finish(failed_ ? series_.add.error : series_.add.aborted); }

  // glance::store::ImageWriter
  Task<void> write(std::span<const char> data) override {
    auto done = co_await inner_->write(data);
    if (done)
      series_.written->Increment(static_cast<double>(data.size()));
    else
      failed_ = true;
    co_return done;
  }
  Task<StoredImage> commit() override {
    auto stored = co_await inner_->commit();
    finish(stored ? series_.add.ok : series_.add.error);
    co_return stored;
  }
  boost::asio::awaitable<void> abort() override {
    co_await inner_->abort();
    finish(failed_ ? series_.add.error : series_.add.aborted);
  }

 private:
  void finish(prometheus::Counter* outcome) {
    if (finished_) return;
    finished_ = true;
    series_.add.record(outcome, started_);
  }

  std::unique_ptr<ImageWriter> inner_;
  const StoreSeries& series_;
  const SteadyClock::time_point started_;
  bool failed_ = false;
  bool finished_ = false;
};

class MeteredStore final : public Store {
 public:
  MeteredStore(std::unique_ptr<Store> inner, StoreSeries series)
      : inner_(std::move(inner)), series_(series) {}

  // glance::store::Store
  std::vector<std::string> schemes() const override { return inner_->schemes(); }
  bool writable() const override { return inner_->writable(); }
  Task<std::unique_ptr<ImageWriter>> begin_add(const std::string& id,
                                               uint64_t declared_size) override {
    const auto started = SteadyClock::now();
    auto writer = co_await inner_->begin_add(id, declared_size);
    if (!writer) {
      series_.add.record(series_.add.error, started);
      co_return writer.error();
    }
    co_return std::unique_ptr<ImageWriter>(
        std::make_unique<MeteredWriter>(std::move(*writer), series_, started));
  }
  Task<std::unique_ptr<ImageReader>> open(const Location& where,
                                          const ReadOptions& options) override {
    const auto started = SteadyClock::now();
    auto reader = co_await inner_->open(where, options);
    series_.get.record(reader, started);
    if (!reader) co_return reader.error();
    co_return std::unique_ptr<ImageReader>(
        std::make_unique<MeteredReader>(std::move(*reader), *series_.read));
  }
  Task<uint64_t> size(const Location& where, const ReadOptions& options) override {
    const auto started = SteadyClock::now();
    auto size = co_await inner_->size(where, options);
    series_.size.record(size, started);
    co_return size;
  }
  Task<void> remove(const Location& where) override {
    const auto started = SteadyClock::now();
    auto removed = co_await inner_->remove(where);
    series_.remove.record(removed, started);
    co_return removed;
  }
  Task<void> remove_leftovers(const std::string& id, const std::optional<Location>& keep) override {
    const auto started = SteadyClock::now();
    auto removed = co_await inner_->remove_leftovers(id, keep);
    series_.remove_leftovers.record(removed, started);
    co_return removed;
  }
  Task<std::vector<std::string>> image_ids_with_data() override {
    return inner_->image_ids_with_data();
  }
  void stop_background_work() override { inner_->stop_background_work(); }

 private:
  std::unique_ptr<Store> inner_;
  const StoreSeries series_;
};

}  // namespace

std::unique_ptr<Store> with_metrics(std::unique_ptr<Store> store, const std::string& name,
                                    common::metrics::Metrics& metrics) {
  return std::make_unique<MeteredStore>(std::move(store), resolve(name, metrics));
}

void meter_drivers(StoreConfig& config, common::metrics::Metrics& metrics) {
  for (auto& [name, start] : config.drivers)
    start = [start = std::move(start), name = name,
             &metrics](BlockingPool& pool) -> Result<std::unique_ptr<Store>> {
      auto store = start(pool);
      if (!store) return store.error();
      return with_metrics(std::move(*store), name, metrics);
    };
}

}  // namespace glance::store
