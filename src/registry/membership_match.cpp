#include "registry/membership_match.h"

#include <algorithm>
#include <set>

namespace glance::registry {

namespace {
const Membership* find_member(const std::vector<Membership>& stored, const std::string& member) {
  auto it = std::find_if(stored.begin(), stored.end(),
                         [&](const Membership& m) { return m.member_id == member; });
  return it == stored.end() ? nullptr : &*it;
}
}  // namespace

bool membership_added(const std::vector<Membership>& stored, const std::string& member,
                      std::optional<bool> can_share) {
  const Membership* m = find_member(stored, member);
  return m && (!can_share || m->can_share == *can_share);
}

bool membership_removed(const std::vector<Membership>& stored, const std::string& member) {
  return find_member(stored, member) == nullptr;
}

bool memberships_replaced(const std::vector<Membership>& stored,
                          const std::vector<MembershipChange>& changes) {
  std::set<std::string> wanted, have;
  for (const auto& c : changes) {
    wanted.insert(c.member_id);
    if (!membership_added(stored, c.member_id, c.can_share)) return false;
  }
  for (const auto& m : stored) have.insert(m.member_id);
  return wanted == have;
}

}  // namespace glance::registry
