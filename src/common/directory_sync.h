#pragma once

#include <filesystem>

namespace glance::common {

// Makes a directory's entries durable (a file renamed into it, one created or removed):
// fsync(2) on the directory itself, which a file's own fsync does not cover. False when the
// directory cannot be opened or synced. Blocking: call it off the I/O threads.
bool fsync_directory(const std::filesystem::path& dir);

}  // namespace glance::common
