#include "registry/db/image_rows.h"

#include "common/clock.h"
#include "common/json_parse.h"
#include "registry/image_access.h"

#include <algorithm>
#include <map>

namespace glance::registry {

using common::Error;
using common::Image;

namespace {
std::optional<int64_t> to_int(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  return std::stoll(*s);
}

std::optional<std::string> to_timestamp(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  return common::timestamp_from_sql(*s);
}

// IN lists are padded to a power of two (repeating the last id) so that only a dozen
// statement shapes ever reach the prepared-statement cache.
std::string placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out;
}

// ", NULL" n times: pads a UNION branch to the image columns.
std::string padding(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += ", NULL";
  return out;
}

size_t bucket(size_t n) {
  size_t b = 1;
  while (b < n) b *= 2;
  return b;
}
}  // namespace

common::ImageLocation location_from_columns(const std::optional<std::string>& id,
                                            const std::optional<std::string>& url,
                                            const std::optional<std::string>& meta_data,
                                            const std::optional<std::string>& status) {
  common::ImageLocation loc;
  loc.id = to_int(id);
  loc.url = url.value_or("");
  // Stored by us from a request body, so within the default limits; anything else is
  // treated as no metadata rather than failing every read of the image.
  auto meta = common::parse_json(meta_data.value_or("{}"));
  loc.metadata = meta && meta->is_object() ? std::move(*meta) : nlohmann::json::object();
  loc.status = status.value_or("active");
  return loc;
}

Image image_from_row(const SqlRow& r) {
  Image img;
  img.id = r[0].value_or("");
  img.name = r[1];
  img.size = to_int(r[2]);
  img.status =
      common::image_status_from_string(r[3].value_or("")).value_or(common::ImageStatus::queued);
  img.created_at = to_timestamp(r[4]).value_or("");
  img.updated_at = to_timestamp(r[5]);
  img.deleted_at = to_timestamp(r[6]);
  img.deleted = r[7].value_or("0") != "0";
  img.disk_format = r[8];
  img.container_format = r[9];
  img.checksum = r[10];
  img.owner = r[11];
  img.min_disk = to_int(r[12]).value_or(0);
  img.min_ram = to_int(r[13]).value_or(0);
  img.is_protected = r[14].value_or("0") != "0";
  img.virtual_size = to_int(r[15]);
  img.visibility = r[16].value_or("shared");
  img.is_public = img.visibility == "public";
  img.os_hash_algo = r[17];
  img.os_hash_value = r[18];
  img.os_hidden = r[19].value_or("0") != "0";
  return img;
}

Result<void> load_details(MysqlConnection& db, std::vector<Image>& images) {
  if (images.empty()) return {};
  std::map<std::string, Image*> by_id;
  for (auto& img : images) by_id[img.id] = &img;
  std::vector<std::string> ids;
  for (const auto& [id, img] : by_id) ids.push_back(id);
  for (size_t start = 0; start < ids.size(); start += 1024) {
    size_t count = std::min<size_t>(1024, ids.size() - start);
    size_t padded = bucket(count);
    std::vector<SqlValue> params;
    for (int pass = 0; pass < 3; ++pass)
      for (size_t i = 0; i < padded; ++i) params.emplace_back(ids[start + std::min(i, count - 1)]);
    std::string in = placeholders(padded);
    std::string sql =
        "SELECT 0, image_id, name, value, NULL, NULL FROM image_properties WHERE deleted = 0 "
        "AND image_id IN (" +
        in +
        ") UNION ALL "
        "SELECT 1, image_id, id, value, meta_data, status FROM image_locations WHERE deleted = 0 "
        "AND image_id IN (" +
        in +
        ") UNION ALL "
        "SELECT 2, image_id, value, NULL, NULL, NULL FROM image_tags WHERE deleted = 0 "
        "AND image_id IN (" +
        in + ")";
    auto rows = db.query(sql, params);
    if (!rows) return rows.error();
    for (auto& row : *rows) {
      Image* img = by_id.at(row[1].value_or(""));
      if (row[0] == "0") {
        img->properties[row[2].value_or("")] = row[3];
        continue;
      }
      if (row[0] == "2") {
        img->tags.push_back(row[2].value_or(""));
        continue;
      }
      img->locations.push_back(location_from_columns(row[2], row[3], row[4], row[5]));
    }
  }
  for (auto& img : images) {
    std::sort(img.locations.begin(), img.locations.end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
    std::sort(img.tags.begin(), img.tags.end());
  }
  return {};
}

Result<std::optional<Image>> find_image_with_details(MysqlConnection& db, const std::string& id) {
  if (id.size() > 36) return std::optional<Image>();
  // Three row shapes in one result, told apart by the first column and padded to the images
  // columns: 0 = the image, 1 = a property (name, value), 2 = a location (id, url, meta, status),
  // 3 = a tag (value).
  static const std::string sql =
      "SELECT 0, " + std::string(kImageColumns) +
      " FROM images WHERE id = ? UNION ALL "
      "SELECT 1, name, value" +
      padding(18) +
      " FROM image_properties WHERE image_id = ? AND deleted = 0 UNION ALL "
      "SELECT 2, id, value, meta_data, status" +
      padding(16) +
      " FROM image_locations WHERE image_id = ? AND deleted = 0 UNION ALL "
      "SELECT 3, value" +
      padding(19) + " FROM image_tags WHERE image_id = ? AND deleted = 0";
  SqlValue p[] = {id, id, id, id};
  auto rows = db.query(sql, p);
  if (!rows) return rows.error();
  std::optional<Image> img;
  for (auto& row : *rows)
    if (row[0] == "0") img = image_from_row(SqlRow(row.begin() + 1, row.end()));
  if (!img) return img;
  for (auto& row : *rows) {
    if (row[0] == "1") {
      img->properties[row[1].value_or("")] = row[2];
    } else if (row[0] == "2") {
      img->locations.push_back(location_from_columns(row[1], row[2], row[3], row[4]));
    } else if (row[0] == "3") {
      img->tags.push_back(row[1].value_or(""));
    }
  }
  std::sort(img->locations.begin(), img->locations.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  std::sort(img->tags.begin(), img->tags.end());
  return img;
}

Result<std::optional<Image>> find_image_row(MysqlConnection& db, const std::string& id,
                                            bool for_update) {
  // Upstream treats ids longer than the column as absent rather than as a DB error.
  if (id.size() > 36) return std::optional<Image>();
  std::string sql = "SELECT " + std::string(kImageColumns) + " FROM images WHERE id = ?" +
                    (for_update ? " FOR UPDATE" : "");
  SqlValue p = id;
  auto rows = db.query(sql, std::span(&p, 1));
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<Image>();
  return std::optional<Image>(image_from_row(rows->front()));
}

Result<bool> has_live_membership(MysqlConnection& db, const std::string& image_id,
                                 const std::string& member) {
  SqlValue p[] = {image_id, member};
  auto rows = db.query(
      "SELECT 1 FROM image_members WHERE image_id = ? AND member = ? AND deleted = 0 LIMIT 1", p);
  if (!rows) return rows.error();
  return !rows->empty();
}

Result<Image> only_if_visible(MysqlConnection& db, const common::RequestContext& ctx,
                              std::optional<Image> found, const std::string& missing_message) {
  if (!found) return Error::not_found(missing_message);
  bool member = false;
  if (needs_membership(ctx, *found)) {
    auto m = has_live_membership(db, found->id, *ctx.owner());
    if (!m) return m.error();
    member = *m;
  }
  if (!is_visible(ctx, *found, member)) return Error::not_found(missing_message);
  return std::move(*found);
}

Result<Image> find_visible_image(MysqlConnection& db, const common::RequestContext& ctx,
                                 const std::string& id, bool for_update,
                                 const std::string& missing_message) {
  auto row = find_image_row(db, id, for_update);
  if (!row) return row.error();
  return only_if_visible(db, ctx, std::move(*row), missing_message);
}

}  // namespace glance::registry
