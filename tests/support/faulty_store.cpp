#include "tests/support/faulty_store.h"

namespace glance::testing {

namespace {
class FaultyWriter final : public store::ImageWriter {
 public:
  FaultyWriter(std::unique_ptr<store::ImageWriter> real, uint64_t fail_after, common::Error error)
      : real_(std::move(real)), left_(fail_after), error_(std::move(error)) {}

  // glance::store::ImageWriter
  store::Task<void> write(std::span<const char> data) override {
    if (data.size() > left_) co_return error_;
    left_ -= data.size();
    co_return co_await real_->write(data);
  }
  store::Task<store::StoredImage> commit() override { co_return co_await real_->commit(); }
  boost::asio::awaitable<void> abort() override { co_await real_->abort(); }

 private:
  std::unique_ptr<store::ImageWriter> real_;
  uint64_t left_;
  common::Error error_;
};
}  // namespace

store::Task<std::unique_ptr<store::ImageWriter>> FaultyStore::begin_add(const std::string& id,
                                                                        uint64_t declared_size) {
  auto real = co_await real_.begin_add(id, declared_size);
  if (!real) co_return real.error();
  co_return std::unique_ptr<store::ImageWriter>(
      new FaultyWriter(std::move(*real), fail_after_, error_));
}

}  // namespace glance::testing
