#pragma once

#include "common/error.h"
#include "common/request_context.h"

#include <cstdint>
#include <optional>
#include <string>

namespace glance::registry {

class MysqlConnection;

using common::Error;
using common::Result;

// One tag at a time of an image (Glance v2's PUT and DELETE of /images/{id}/tags/{tag}).
// Blocking and on the given connection like ImageRepository, with its visibility and
// ownership errors. Each write runs in one transaction that first locks and touches the image
// row, so concurrent writes of one image's tags (on one server or across Galera nodes) never
// lose one another and never pass the quota together. Tags compare byte for byte (not by the
// column's collation). Safe for concurrent calls from different threads.
class TagRepository {
 public:
  virtual ~TagRepository() = default;

  // Adds `tag` (a no-op when the image has it already) and touches the image's updated_at.
  // payload_too_large when the image would then have more than `quota` tags (nullopt: no
  // limit), with upstream's words, as upstream also when the tag was there already.
  virtual Result<void> add(MysqlConnection& db, const common::RequestContext& ctx,
                           const std::string& image_id, const std::string& tag,
                           std::optional<int64_t> quota) = 0;
  // Removes `tag`; not_found ("Tag not found.") when the image does not have it.
  virtual Result<void> remove(MysqlConnection& db, const common::RequestContext& ctx,
                              const std::string& image_id, const std::string& tag) = 0;
  // Whether the image has `tag` once every write in flight on it has ended: the read-back of
  // add and remove (DbWrite::read_back). not_found when the image does not exist.
  virtual Result<bool> settled_has(MysqlConnection& db, const std::string& image_id,
                                   const std::string& tag) = 0;
};

}  // namespace glance::registry
