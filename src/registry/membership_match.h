#pragma once

#include "common/image_member.h"
#include "registry/member_repository.h"

#include <string>
#include <vector>

namespace glance::registry {

// Read-back tests for membership writes that lost their connection: does the live member
// set `stored` hold what the write asked for? Pure.

// add(member, can_share): the member is live, with that can_share when one was given.
bool membership_added(const std::vector<Membership>& stored, const std::string& member,
                      std::optional<bool> can_share);

// remove(member): the member is not live.
bool membership_removed(const std::vector<Membership>& stored, const std::string& member);

// replace(changes): the live members are exactly those named, each with its can_share when
// one was given.
bool memberships_replaced(const std::vector<Membership>& stored,
                          const std::vector<MembershipChange>& changes);

}  // namespace glance::registry
