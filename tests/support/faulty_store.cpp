#include "tests/support/faulty_store.h"

namespace glance::testing {

namespace {
class FaultyWriter final : public store::ImageWriter {
 public:
  FaultyWriter(std::unique_ptr<store::ImageWriter> real, uint64_t fail_after, common::Error error)
      : real_(std::move(real)), left_(fail_after), error_(std::move(error)) {}

  // glance::store::ImageWriter
  common::Result<void> write(std::span<const char> data) override {
    if (data.size() > left_) {
      real_.reset();  // the real store drops what it had, as on a real failure
      return error_;
    }
    left_ -= data.size();
    return real_->write(data);
  }
  common::Result<store::StoredImage> commit() override { return real_->commit(); }

 private:
  std::unique_ptr<store::ImageWriter> real_;
  uint64_t left_;
  common::Error error_;
};
}  // namespace

common::Result<std::unique_ptr<store::ImageWriter>> FaultyStore::begin_add(const std::string& id) {
  auto real = real_.begin_add(id);
  if (!real) return real.error();
  return std::unique_ptr<store::ImageWriter>(
      new FaultyWriter(std::move(*real), fail_after_, error_));
}

}  // namespace glance::testing
