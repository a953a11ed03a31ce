#pragma once

#include <string>

namespace glance::common {

// One membership of an image, as both registry and api carry it.
struct Membership {
  std::string member_id;
  bool can_share = false;
};

// An image shared with a member, as GET /shared-images/{member} lists it.
struct SharedImage {
  std::string image_id;
  bool can_share = false;
};

}  // namespace glance::common
