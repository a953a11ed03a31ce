#pragma once

#include "tests/support/scale_out_cluster.h"

#include <string>

namespace glance::testing::scale_out {

// A ClusterStore on the Swift fixture: every api keeps its images in `container` of the
// fixture's account (created on first upload); what the store holds is the container's
// listing, read through the Swift API, a manifest and its segments counting as one upload.
ClusterStore swift_store(const std::string& container);

}  // namespace glance::testing::scale_out
