#pragma once

#include "store/blocking_pool.h"
#include "store/store.h"

#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace glance::store {

// Image data as flat files named by image id in one directory ([glance_store]
// filesystem_store_datadir). Data is written under a temporary name, fsync'd and
// linked into place on commit, so a reader never sees a torn file and two uploads of one id
// cannot both win. Reads hand out a FileRange, so downloads go out with sendfile(2). Writing,
// hashing, fsync and unlink run on `pool` (see BlockingPool), which must outlive the store and
// its writers. Safe for concurrent calls.
class FileStore final : public Store {
 public:
  // Creates the directory when missing. Fails with unavailable when it cannot be created or
  // written.
  static common::Result<std::unique_ptr<FileStore>> open_dir(std::filesystem::path datadir,
                                                             BlockingPool& pool);

  // glance::store::Store
  std::vector<std::string> schemes() const override { return {"file", "filesystem"}; }
  Task<std::unique_ptr<ImageWriter>> begin_add(const std::string& id,
                                               uint64_t declared_size) override;
  Task<std::unique_ptr<ImageReader>> open(const Location& where,
                                          const ReadOptions& options) override;
  Task<uint64_t> size(const Location& where, const ReadOptions& options) override;
  Task<void> remove(const Location& where) override;
  // The committed file of `id` (unless `keep` names it) and every partial file of `id`, a
  // running writer's included.
  Task<void> remove_leftovers(const std::string& id, const std::optional<Location>& keep) override;

  const std::filesystem::path& datadir() const { return datadir_; }

 private:
  FileStore(std::filesystem::path datadir, BlockingPool& pool)
      : datadir_(std::move(datadir)), pool_(pool) {}
  common::Result<std::filesystem::path> path_of(const Location& where) const;
  common::Result<std::unique_ptr<ImageWriter>> begin_add_now(const std::string& id);

  std::filesystem::path datadir_;
  BlockingPool& pool_;
  std::atomic<uint64_t> temp_counter_{0};
};

// A temporary file of a write to the file store that was never committed or discarded: what
// a crashed process leaves behind. Its name says which image it was for.
struct PartialFile {
  std::filesystem::path path;
  std::string image_id;
  // The process that wrote it: a writer removes its file when destroyed, so a partial file of
  // the calling process always belongs to a write still under way.
  long writer_pid = 0;
  std::filesystem::file_time_type modified;
};

// The partial files in `datadir`; empty when it cannot be read.
std::vector<PartialFile> list_partial_files(const std::filesystem::path& datadir);

// Where a FileStore over `datadir` keeps the committed data of `image_id`.
Location file_store_location(const std::filesystem::path& datadir, const std::string& image_id);

}  // namespace glance::store
