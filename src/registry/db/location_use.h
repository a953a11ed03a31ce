#pragma once

#include "common/error.h"
#include "common/image.h"

#include <string>
#include <vector>

namespace glance::registry {

class MysqlConnection;

// Sets `in_use` on each of `locations` (locations of image `image_id`): whether another live
// image (row not deleted, status neither deleted nor pending_delete) has the same url as an
// active location, so that deleting `image_id` must leave that data in place. Urls compare
// as stored, byte for byte. Blocks; call it inside the transaction that marks the image
// deleted or pending_delete, or claims it for scrubbing.
//
// The read locks what it reads and the gap where a matching location row would go (the
// (value) prefix index), until the enclosing transaction ends. What that covers: a location
// row with the url that another transaction has written but not committed is waited for and
// seen; two images that share a url and are deleted at the same time serialize (one waits,
// or MariaDB rolls one back as a deadlock and the registry runs it again), so the later one
// sees the earlier one's mark and its data goes, once. What it cannot cover: a location
// added after this transaction commits. The data may be gone by the time that image is
// read; the new location then names nothing, and no live image loses data it had.
// Across Galera nodes, gap locks do not replicate: a concurrent add on another node is only
// seen once it has been applied here.
common::Result<void> mark_locations_in_use(MysqlConnection& db, const std::string& image_id,
                                           std::vector<common::ImageLocation>& locations);

// Whether a live image (row not deleted, status neither deleted nor pending_delete) other than
// `except_image_id` ("" for none) has `url` as an active location, read and locked as
// mark_locations_in_use says: the one test of "another image still uses this data", for an
// image's delete and for a removed location's scrub alike.
common::Result<bool> url_in_live_use(MysqlConnection& db, const std::string& url,
                                     const std::string& except_image_id);

// Copies `in_use` from `answered` to the location of `locations` with the same url.
void copy_in_use(const std::vector<common::ImageLocation>& answered,
                 std::vector<common::ImageLocation>& locations);

}  // namespace glance::registry
