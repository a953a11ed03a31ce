#pragma once

#include "common/error.h"
#include "common/image.h"
#include "common/request_context.h"
#include "registry/list_query.h"

#include <optional>
#include <string>
#include <vector>

namespace glance::registry {

using common::Error;
using common::Result;

// The registry's store of image metadata, with Glance's visibility and ownership rules
// applied for the caller's context (spec §5.2, §5.3, §8.2). Calls block: run them through
// DbExecutor. Implementations must be safe for concurrent calls from different threads.
//
// Errors: not_found for a missing or invisible image (never forbidden, so existence does not
// leak); forbidden when a visible public image is not the caller's to change; conflict for
// a duplicate id or a failed compare-and-set; bad_request for invalid values; unavailable
// when the database cannot be reached.
class ImageRepository {
 public:
  virtual ~ImageRepository() = default;

  // Images in list order. `detail` also loads properties and locations.
  virtual Result<std::vector<common::Image>> list(const common::RequestContext& ctx,
                                                  const ListQuery& query, bool detail) = 0;
  virtual Result<common::Image> get(const common::RequestContext& ctx, const std::string& id) = 0;
  virtual Result<common::Image> create(const common::RequestContext& ctx,
                                       common::ImageFields fields) = 0;
  // Writes the given fields. `purge_props` soft-deletes properties not in fields.properties;
  // `from_state` makes the write conditional on the current status.
  virtual Result<common::Image> update(const common::RequestContext& ctx, const std::string& id,
                                       common::ImageFields fields, bool purge_props,
                                       std::optional<common::ImageStatus> from_state) = 0;
  // Bytes stored for `owner` (spec §9.1): the size of each of its images that is not killed
  // or deleted, times its locations not deleted, leaving out `exclude_image`. Callers other
  // than admins may ask only about their own owner id (forbidden otherwise).
  virtual Result<int64_t> storage_usage(const common::RequestContext& ctx, const std::string& owner,
                                        const std::string& exclude_image) = 0;
  // Soft-deletes the image with its properties, locations, members and tags.
  virtual Result<common::Image> destroy(const common::RequestContext& ctx,
                                        const std::string& id) = 0;
};

}  // namespace glance::registry
