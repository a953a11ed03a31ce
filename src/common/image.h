#pragma once

#include "common/image_status.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace glance::common {

// Where an image's data lives. The url may name a store's object ("file:///...").
struct ImageLocation {
  std::optional<int64_t> id;  // registry row id; absent for a new location
  std::string url;
  nlohmann::json metadata = nlohmann::json::object();
  std::string status = "active";  // active | pending_delete | deleted
  // Only in the registry's answers to a delete (the mark to deleted or pending_delete) and
  // to a scrubber's claim: whether another live image has the same url as an active
  // location, so that its data must stay. Absent everywhere else, and from registries that
  // predate it.
  std::optional<bool> in_use = std::nullopt;
};

using ImageProperties = std::map<std::string, std::optional<std::string>>;

// An image as the registry stores and returns it (the registry's "full image dict").
// Timestamps are in the wire format of format_timestamp().
struct Image {
  std::string id;
  std::optional<std::string> name;
  std::optional<int64_t> size;
  std::optional<int64_t> virtual_size;
  std::optional<std::string> disk_format;
  std::optional<std::string> container_format;
  ImageStatus status = ImageStatus::queued;
  std::optional<std::string> checksum;
  // A second, modern digest computed by the service (Glance v2's names): "sha256" and hex.
  std::optional<std::string> os_hash_algo;
  std::optional<std::string> os_hash_value;
  std::optional<std::string> owner;
  int64_t min_disk = 0;
  int64_t min_ram = 0;
  bool is_protected = false;
  bool is_public = false;
  std::string visibility = "shared";  // private | public | shared | community
  bool os_hidden = false;             // left out of v2 lists unless asked for
  std::vector<std::string> tags;      // live tags, sorted
  std::string created_at;
  std::optional<std::string> updated_at;
  std::optional<std::string> deleted_at;
  bool deleted = false;
  ImageProperties properties;
  std::vector<ImageLocation> locations;  // live rows only

  // The url of the first active location, if any.
  std::optional<std::string> active_location() const;
};

// Field values to write on create or update. An absent optional means "leave alone"; for
// nullable columns the inner optional carries an explicit null.
struct ImageFields {
  template <class T>
  using Nullable = std::optional<std::optional<T>>;

  std::optional<std::string> id;
  Nullable<std::string> name, disk_format, container_format, checksum, owner;
  Nullable<std::string> os_hash_algo, os_hash_value;
  Nullable<int64_t> size, virtual_size;
  std::optional<int64_t> min_disk, min_ram;
  std::optional<ImageStatus> status;
  std::optional<bool> is_public, is_protected, deleted;
  // Glance v2's fields, which v1 never sends. `visibility` wins over `is_public` when both
  // are given; `tags` replaces the image's tag set.
  std::optional<std::string> visibility;
  std::optional<bool> os_hidden;
  std::optional<std::vector<std::string>> tags;
  Nullable<std::string> created_at, updated_at, deleted_at;
  std::optional<ImageProperties> properties;
  std::optional<std::vector<ImageLocation>> locations;
};

}  // namespace glance::common
