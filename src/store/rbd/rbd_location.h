#pragma once

#include "common/error.h"

#include <string>
#include <string_view>

namespace glance::store {

// Where glance_store's rbd driver keeps an image, as its location URI names it:
// "rbd://<fsid>/<pool>/<image>/<snapshot>", each part percent-encoded (every byte but
// ALPHA / DIGIT / "-._~"), or the old "rbd://<image>" form, which names an image (taken as it
// stands, undecoded) in the configured pool and reads its head, not a snapshot. Nova and Cinder
// parse the four-part form to clone "<pool>/<image>@<snapshot>" without copying.
struct RbdLocation {
  std::string fsid;  // empty in the old form, as are pool and snapshot
  std::string pool;
  std::string image;
  std::string snapshot;
  bool operator==(const RbdLocation&) const = default;

  // bad_request unless the URI has exactly 1 or 4 non-empty parts after "rbd://", as
  // upstream refuses, or when a part decodes to a NUL (librbd takes C strings). A '%' that
  // starts no valid escape is kept as it stands, as Python's unquote keeps it.
  static common::Result<RbdLocation> parse(std::string_view uri);
  // The four-part form when fsid, pool and snapshot are all set, else the old one.
  std::string uri() const;
};

}  // namespace glance::store
