#pragma once

#include "common/image.h"

namespace glance::registry {

// Whether `stored` holds every value `fields` sets: the read-back test for a create or update
// whose connection was lost before its answer came. Compares the columns a caller sets
// (name, formats, checksum, hashes, owner, sizes, minimums, status, visibility, protection),
// the properties given (with `purge_props`, exactly those) and the live locations (exactly
// the given ones that are not being deleted). Ignores the id, timestamps and deletion
// fields, which the registry decides. Pure.
bool image_holds(const common::Image& stored, const common::ImageFields& fields, bool purge_props);

}  // namespace glance::registry
