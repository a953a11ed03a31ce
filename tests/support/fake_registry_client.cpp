#include "tests/support/fake_registry_client.h"

#include "common/image_json.h"
#include "common/json_parse.h"

#include <algorithm>

namespace glance::testing {

using common::Error;
using common::Image;
using common::Result;

namespace {
// A body already whole.
class TextBody final : public common::http::BodyReader {
 public:
  explicit TextBody(std::string text) : text_(std::move(text)) {}
  boost::asio::awaitable<Result<size_t>> read_some(std::span<char> buf) override {
    const size_t n = std::min(buf.size(), text_.size() - done_);
    std::copy_n(text_.data() + done_, n, buf.data());
    done_ += n;
    co_return n;
  }

 private:
  std::string text_;
  size_t done_ = 0;
};
}  // namespace

void FakeRegistryClient::put(Image image) {
  std::lock_guard lock(mutex_);
  images_[image.id] = std::move(image);
}

Image FakeRegistryClient::at(const std::string& id) const {
  std::lock_guard lock(mutex_);
  return images_.at(id);
}

Result<Image> FakeRegistryClient::apply(const std::string& id, const common::ImageFields& f,
                                        std::optional<common::ImageStatus> from_state) {
  std::lock_guard lock(mutex_);
  auto it = images_.find(id);
  if (it == images_.end()) return Error::not_found("Image not found");
  Image& img = it->second;
  if (from_state && img.status != *from_state) return Error::conflict("Image operation conflicts");
  if (f.status) img.status = *f.status;
  if (f.size) img.size = *f.size;
  if (f.checksum) img.checksum = *f.checksum;
  if (f.os_hash_algo) img.os_hash_algo = *f.os_hash_algo;
  if (f.os_hash_value) img.os_hash_value = *f.os_hash_value;
  if (f.name) img.name = *f.name;
  if (f.disk_format) img.disk_format = *f.disk_format;
  if (f.container_format) img.container_format = *f.container_format;
  if (f.locations) img.locations = *f.locations;
  if (f.properties)
    for (const auto& [k, v] : *f.properties) img.properties[k] = v;
  return img;
}

api::RegistryClient::Call<std::unique_ptr<api::RegistryImageStream>>
FakeRegistryClient::list_stream(const api::Caller& caller, const common::http::QueryParams& params,
                                bool detail) {
  auto images = co_await list(caller, params, detail);
  if (!images) co_return images.error();
  nlohmann::json list = nlohmann::json::array();
  for (const auto& image : *images) list.push_back(common::image_to_json(image));
  co_return std::make_unique<api::RegistryImageStream>(
      std::make_unique<TextBody>(common::dump_json({{"images", std::move(list)}})), 1 << 20);
}

api::RegistryClient::Call<std::vector<Image>> FakeRegistryClient::list(
    const api::Caller&, const common::http::QueryParams&, bool) {
  std::vector<Image> out;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, img] : images_) out.push_back(img);
  }
  co_return out;
}

api::RegistryClient::Call<Image> FakeRegistryClient::get(const api::Caller&,
                                                         const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = images_.find(id);
  if (it == images_.end()) co_return Error::not_found("Image not found");
  co_return it->second;
}

api::RegistryClient::Call<Image> FakeRegistryClient::create(const api::Caller&,
                                                            const common::ImageFields& fields) {
  Image img;
  {
    std::lock_guard lock(mutex_);
    img.id = fields.id.value_or("fake-" + std::to_string(next_id_++));
    images_[img.id] = img;
  }
  co_return apply(img.id, fields, std::nullopt);
}

api::RegistryClient::Call<Image> FakeRegistryClient::update(
    const api::Caller&, const std::string& id, const common::ImageFields& fields, bool,
    std::optional<common::ImageStatus> from_state) {
  if (before_update) before_update(*this, id, fields);
  co_return apply(id, fields, from_state);
}

api::RegistryClient::Call<Image> FakeRegistryClient::remove(const api::Caller&,
                                                            const std::string& id) {
  common::ImageFields deleted;
  deleted.status = common::ImageStatus::deleted;
  co_return apply(id, deleted, std::nullopt);
}

api::RegistryClient::Call<int64_t> FakeRegistryClient::storage_usage(const api::Caller&,
                                                                     const std::string&,
                                                                     const std::string&) {
  co_return int64_t{0};
}

// Nothing else is stored here, so every reservation that fits the quota alone is granted.
api::RegistryClient::Call<api::RegistryClient::Reservation> FakeRegistryClient::reserve_storage(
    const api::Caller&, const std::string&, int64_t size, int64_t quota) {
  co_return Reservation{size <= quota, 0};
}

api::RegistryClient::Call<std::string> FakeRegistryClient::health(const api::Caller&) {
  co_return std::string(R"({"database": "OK"})");
}

api::RegistryClient::Call<std::vector<common::Membership>> FakeRegistryClient::list_members(
    const api::Caller&, const std::string& image_id) {
  std::lock_guard lock(mutex_);
  co_return members_[image_id];
}

api::RegistryClient::Call<void> FakeRegistryClient::replace_members(
    const api::Caller&, const std::string& image_id, const nlohmann::json& body,
    std::optional<int64_t> member_quota) {
  {
    std::lock_guard lock(mutex_);
    member_quotas_.push_back(member_quota);
  }
  std::vector<common::Membership> members;
  for (const auto& entry : body.at("memberships"))
    members.push_back({entry.at("member_id").get<std::string>(),
                       entry.contains("can_share") && entry["can_share"] == true});
  std::lock_guard lock(mutex_);
  members_[image_id] = std::move(members);
  co_return Result<void>();
}

api::RegistryClient::Call<void> FakeRegistryClient::add_member(
    const api::Caller&, const std::string& image_id, const std::string& member,
    std::optional<bool> can_share, std::optional<int64_t> member_quota) {
  std::lock_guard lock(mutex_);
  member_quotas_.push_back(member_quota);
  auto& members = members_[image_id];
  for (auto& m : members)
    if (m.member_id == member) {
      if (can_share) m.can_share = *can_share;
      co_return Result<void>();
    }
  members.push_back({member, can_share.value_or(false)});
  co_return Result<void>();
}

api::RegistryClient::Call<void> FakeRegistryClient::remove_member(const api::Caller&,
                                                                  const std::string& image_id,
                                                                  const std::string& member) {
  std::lock_guard lock(mutex_);
  auto& members = members_[image_id];
  auto gone = std::erase_if(members, [&](const auto& m) { return m.member_id == member; });
  if (gone == 0) co_return Error::not_found("Membership could not be found.");
  co_return Result<void>();
}

api::RegistryClient::Call<void> FakeRegistryClient::add_tag(const api::Caller&,
                                                            const std::string& image_id,
                                                            const std::string& tag,
                                                            std::optional<int64_t> tag_quota) {
  std::lock_guard lock(mutex_);
  auto it = images_.find(image_id);
  if (it == images_.end()) co_return Error::not_found("No image found with ID " + image_id);
  auto& tags = it->second.tags;
  const bool present = std::find(tags.begin(), tags.end(), tag) != tags.end();
  const auto attempted = static_cast<int64_t>(tags.size()) + (present ? 0 : 1);
  if (tag_quota && attempted > *tag_quota)
    co_return Error::payload_too_large(
        "The limit has been exceeded on the number of allowed "
        "image tags. Attempted: " +
        std::to_string(attempted) + ", Maximum: " + std::to_string(*tag_quota));
  if (!present) tags.insert(std::upper_bound(tags.begin(), tags.end(), tag), tag);
  co_return Result<void>();
}

api::RegistryClient::Call<void> FakeRegistryClient::remove_tag(const api::Caller&,
                                                               const std::string& image_id,
                                                               const std::string& tag) {
  std::lock_guard lock(mutex_);
  auto it = images_.find(image_id);
  if (it == images_.end()) co_return Error::not_found("No image found with ID " + image_id);
  if (std::erase(it->second.tags, tag) == 0) co_return Error::not_found("Tag not found.");
  co_return Result<void>();
}

api::RegistryClient::Call<std::vector<common::SharedImage>> FakeRegistryClient::shared_images(
    const api::Caller&, const std::string& member) {
  std::vector<common::SharedImage> out;
  std::lock_guard lock(mutex_);
  for (const auto& [image_id, members] : members_)
    for (const auto& m : members)
      if (m.member_id == member) out.push_back({image_id, m.can_share});
  co_return out;
}

std::vector<std::optional<int64_t>> FakeRegistryClient::member_quotas() const {
  std::lock_guard lock(mutex_);
  return member_quotas_;
}

api::RegistryClient::Call<std::vector<common::ImageMembership>>
FakeRegistryClient::list_memberships(const api::Caller&, const std::string& image_id) {
  std::lock_guard lock(mutex_);
  co_return memberships_[image_id];
}

api::RegistryClient::Call<common::ImageMembership> FakeRegistryClient::get_membership(
    const api::Caller&, const std::string& image_id, const std::string& member) {
  std::lock_guard lock(mutex_);
  for (const auto& m : memberships_[image_id])
    if (m.member_id == member) co_return m;
  co_return common::Error::not_found("Membership could not be found.");
}

api::RegistryClient::Call<common::ImageMembership> FakeRegistryClient::create_membership(
    const api::Caller&, const std::string& image_id, const std::string& member,
    std::optional<int64_t> member_quota) {
  std::lock_guard lock(mutex_);
  member_quotas_.push_back(member_quota);
  auto& members = memberships_[image_id];
  for (const auto& m : members)
    if (m.member_id == member) co_return common::Error::conflict("duplicate member " + member);
  const std::string now = "2026-01-01T00:00:00.000000";
  members.push_back({image_id, member, common::MemberStatus::pending, now, now});
  co_return members.back();
}

api::RegistryClient::Call<common::ImageMembership> FakeRegistryClient::set_member_status(
    const api::Caller&, const std::string& image_id, const std::string& member,
    common::MemberStatus status) {
  std::lock_guard lock(mutex_);
  for (auto& m : memberships_[image_id])
    if (m.member_id == member) {
      m.status = status;
      co_return m;
    }
  co_return common::Error::not_found("Membership could not be found.");
}

api::RegistryClient::Call<void> FakeRegistryClient::delete_membership(const api::Caller&,
                                                                      const std::string& image_id,
                                                                      const std::string& member) {
  std::lock_guard lock(mutex_);
  auto& members = memberships_[image_id];
  auto gone = std::erase_if(members, [&](const auto& m) { return m.member_id == member; });
  if (gone == 0) co_return common::Error::not_found("Membership could not be found.");
  co_return common::Result<void>();
}

}  // namespace glance::testing
