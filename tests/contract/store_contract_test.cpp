// One suite run against every Store driver. A new driver adds a factory and a type below.

#include "common/hex_digest.h"
#include "store/file_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <random>

namespace glance::store {
namespace {

using common::Errc;

// Makes a fresh, empty instance of a driver, and says how to list what it holds.
template <class T>
struct StoreFactory;

template <>
struct StoreFactory<FileStore> {
  static std::unique_ptr<Store> make() {
    static int n = 0;
    auto dir = std::filesystem::path(::testing::TempDir()) /
               ("store_contract_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    std::filesystem::remove_all(dir);
    auto store = FileStore::open_dir(dir);
    if (!store) throw std::runtime_error(store.error().message());
    return std::move(*store);
  }
  // Every object the store holds, partial ones included.
  static size_t objects(Store& store) {
    auto& fs = static_cast<FileStore&>(store);
    size_t n = 0;
    for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(fs.datadir())) ++n;
    return n;
  }
};

std::string read_all(ImageReader& reader) {
  auto body = reader.take_body();
  auto* range = std::get_if<common::http::FileRange>(&body);
  if (!range) throw std::runtime_error("streamed readers need an io_context here");
  std::string out(range->length, '\0');
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(range->fd, out.data() + done, out.size() - done,
                        static_cast<off_t>(range->offset + done));
    if (n <= 0) throw std::runtime_error("short read");
    done += static_cast<size_t>(n);
  }
  return out;
}

std::string random_bytes(size_t n) {
  std::mt19937 gen(42);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(gen());
  return s;
}

template <class T>
class StoreContract : public ::testing::Test {
 protected:
  std::unique_ptr<Store> store_ = StoreFactory<T>::make();
  size_t objects() { return StoreFactory<T>::objects(*store_); }

  StoredImage add(const std::string& id, const std::string& data) {
    auto writer = store_->begin_add(id);
    if (!writer) throw std::runtime_error(writer.error().message());
    for (size_t off = 0; off < data.size(); off += 65536) {
      auto w = (*writer)->write({data.data() + off, std::min<size_t>(65536, data.size() - off)});
      if (!w) throw std::runtime_error(w.error().message());
    }
    auto done = (*writer)->commit();
    if (!done) throw std::runtime_error(done.error().message());
    return *done;
  }
};

using Drivers = ::testing::Types<FileStore>;
TYPED_TEST_SUITE(StoreContract, Drivers);

TYPED_TEST(StoreContract, AddThenReadBackByteExact) {
  std::string data = random_bytes(300000);
  auto stored = this->add("11111111-1111-1111-1111-111111111111", data);
  EXPECT_EQ(stored.size, data.size());
  EXPECT_EQ(stored.checksum, common::md5_hex(data));
  EXPECT_EQ(stored.sha256, common::sha256_hex(data));
  EXPECT_TRUE(this->store_->size(stored.location));
  EXPECT_EQ(*this->store_->size(stored.location), data.size());
  auto reader = this->store_->open(stored.location);
  ASSERT_TRUE(reader);
  EXPECT_EQ((*reader)->size(), data.size());
  EXPECT_EQ(read_all(**reader), data);
  bool scheme_known = false;
  for (const auto& s : this->store_->schemes()) scheme_known |= s == stored.location.scheme();
  EXPECT_TRUE(scheme_known);
}

TYPED_TEST(StoreContract, EmptyImage) {
  auto stored = this->add("22222222-2222-2222-2222-222222222222", "");
  EXPECT_EQ(stored.size, 0u);
  EXPECT_EQ(stored.checksum, "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(stored.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TYPED_TEST(StoreContract, DuplicateIsAConflict) {
  this->add("33333333-3333-3333-3333-333333333333", "first");
  auto again = this->store_->begin_add("33333333-3333-3333-3333-333333333333");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), Errc::conflict);
}

TYPED_TEST(StoreContract, ConcurrentWritersOfOneIdOnlyOneCommits) {
  auto a = this->store_->begin_add("44444444-4444-4444-4444-444444444444");
  auto b = this->store_->begin_add("44444444-4444-4444-4444-444444444444");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE((*a)->write({"aaa", 3}));
  ASSERT_TRUE((*b)->write({"bbbb", 4}));
  auto first = (*a)->commit();
  auto second = (*b)->commit();
  ASSERT_TRUE(first);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), Errc::conflict);
  b->reset();
  a->reset();
  EXPECT_EQ(this->objects(), 1u);
  auto reader = this->store_->open(first->location);
  EXPECT_EQ(read_all(**reader), "aaa");
}

TYPED_TEST(StoreContract, DestroyingTheWriterBeforeCommitLeavesNothing) {
  {
    auto writer = this->store_->begin_add("55555555-5555-5555-5555-555555555555");
    ASSERT_TRUE(writer);
    ASSERT_TRUE((*writer)->write({"partial", 7}));
  }
  EXPECT_EQ(this->objects(), 0u);
  // The id is free again.
  this->add("55555555-5555-5555-5555-555555555555", "whole");
}

TYPED_TEST(StoreContract, RemoveThenNotFound) {
  auto stored = this->add("66666666-6666-6666-6666-666666666666", "data");
  EXPECT_TRUE(this->store_->remove(stored.location));
  EXPECT_EQ(this->objects(), 0u);
  EXPECT_EQ(this->store_->remove(stored.location).error().code(), Errc::not_found);
  EXPECT_EQ(this->store_->open(stored.location).error().code(), Errc::not_found);
  EXPECT_EQ(this->store_->size(stored.location).error().code(), Errc::not_found);
}

TYPED_TEST(StoreContract, ForeignLocationIsABadRequest) {
  auto r = this->store_->open(Location{"nosuchscheme://x/y"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Errc::bad_request);
}

TYPED_TEST(StoreContract, IdsThatWouldEscapeAreRefused) {
  EXPECT_FALSE(this->store_->begin_add("../etc"));
  EXPECT_FALSE(this->store_->begin_add(""));
}

}  // namespace
}  // namespace glance::store
