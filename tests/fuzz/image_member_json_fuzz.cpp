// The membership documents are written by hand (JsonWriter), not by a JSON library: whatever
// member or image ids a client managed to store, the documents must stay valid JSON that
// reads back to the same ids. The input is split on NUL into ids.
#include "common/image_member_json.h"
#include "tests/fuzz/fuzz_check.h"

#include <nlohmann/json.hpp>

using glance::fuzz::check;
namespace common = glance::common;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = glance::fuzz::as_text(data, size);
  std::vector<common::Membership> members;
  std::vector<common::SharedImage> shared;
  size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('\0', start);
    if (end == std::string_view::npos) end = text.size();
    std::string id(text.substr(start, end - start));
    bool can_share = id.size() % 2 == 1;
    members.push_back({id, can_share});
    shared.push_back({id, can_share});
    start = end + 1;
  }
  // Ids reach the database as UTF-8 checked by the JSON parser; others cannot be stored.
  auto parsed_members = nlohmann::json::parse(common::members_document(members), nullptr, false);
  auto parsed_shared =
      nlohmann::json::parse(common::shared_images_document(shared), nullptr, false);
  bool valid_utf8 = true;
  try {
    (void)nlohmann::json(std::string(text)).dump();
  } catch (const nlohmann::json::exception&) {
    valid_utf8 = false;
  }
  if (!valid_utf8) return 0;
  check(!parsed_members.is_discarded(), "the members document is JSON");
  check(!parsed_shared.is_discarded(), "the shared-images document is JSON");
  const auto& listed = parsed_members["members"];
  check(listed.size() == members.size(), "every member is listed");
  for (size_t i = 0; i < members.size(); ++i) {
    check(listed[i]["member_id"] == members[i].member_id, "member ids survive");
    check(listed[i]["can_share"] == members[i].can_share, "can_share survives");
    check(parsed_shared["shared_images"][i]["image_id"] == shared[i].image_id, "image ids survive");
  }
  return 0;
}
