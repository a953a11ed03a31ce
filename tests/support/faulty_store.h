#pragma once

#include "store/store.h"

#include <memory>
#include <optional>

namespace glance::testing {

// Wraps a real Store and makes its writers fail once more than `fail_after` bytes were
// written, with `error` (e.g. storage_full for a full disk), as leveldb's fault-injection
// Env wraps the real one. The partial data is the real store's, so tests see its cleanup.
class FaultyStore final : public store::Store {
 public:
  FaultyStore(store::Store& real, uint64_t fail_after, common::Error error)
      : real_(real), fail_after_(fail_after), error_(std::move(error)) {}

  // glance::store::Store
  std::vector<std::string> schemes() const override { return real_.schemes(); }
  store::Task<std::unique_ptr<store::ImageWriter>> begin_add(const std::string& id,
                                                             uint64_t declared_size) override;
  store::Task<std::unique_ptr<store::ImageReader>> open(const store::Location& w,
                                                        const store::ReadOptions& o) override {
    return real_.open(w, o);
  }
  store::Task<uint64_t> size(const store::Location& w, const store::ReadOptions& o) override {
    return real_.size(w, o);
  }
  store::Task<void> remove(const store::Location& w) override { return real_.remove(w); }
  store::Task<void> remove_leftovers(const std::string& id,
                                     const std::optional<store::Location>& keep) override {
    return real_.remove_leftovers(id, keep);
  }
  store::Task<std::vector<std::string>> image_ids_with_data() override {
    return real_.image_ids_with_data();
  }
  void stop_background_work() override { real_.stop_background_work(); }

 private:
  store::Store& real_;
  uint64_t fail_after_;
  common::Error error_;
};

}  // namespace glance::testing
