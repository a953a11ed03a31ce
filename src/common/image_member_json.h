#pragma once

#include "common/image_member.h"

#include <string>
#include <vector>

namespace glance::common {

// The membership documents both daemons answer with:
// {"members": [{"member_id", "can_share"}]} and {"shared_images": [{"image_id", "can_share"}]}.
std::string members_document(const std::vector<Membership>& members);
std::string shared_images_document(const std::vector<SharedImage>& shared);

}  // namespace glance::common
