#include "registry/db/mysql_image_repository.h"

#include "common/image_id.h"
#include "common/image_validation.h"
#include "registry/db/image_rows.h"
#include "registry/db/image_writes.h"
#include "registry/db/location_use.h"
#include "registry/db/transaction.h"
#include "registry/db/write_fence.h"
#include "registry/image_access.h"
#include "registry/image_match.h"

namespace glance::registry {

using common::Error;
using common::Image;
using common::ImageFields;

namespace {
// The values create() decides beyond what the caller gave.
void apply_create_rules(const common::RequestContext& ctx, ImageFields& fields) {
  if (!fields.status) fields.status = common::ImageStatus::active;
  if (!ctx.is_admin || !fields.owner) fields.owner = ctx.owner();
  if (*fields.owner && (*fields.owner)->empty()) fields.owner = std::optional<std::string>();
}

// The stored and reserved bytes charged to `owner`, leaving out `exclude_image`: its images,
// and the ownerless images whose upload it reserved (quota_owner).
Result<int64_t> owner_usage(MysqlConnection& db, const std::string& owner,
                            const std::string& exclude_image) {
  SqlValue p[] = {owner, owner, exclude_image};
  // pending_delete locations still hold data, so they count (as upstream counts them). A
  // saving image has no location yet but holds its reservation, once it has one (quota_owner
  // set): the size it only declared must not make concurrent uploads refuse each other.
  auto rows = db.query(
      "SELECT COALESCE(SUM(i.size * GREATEST(i.status = 'saving' AND i.quota_owner IS NOT NULL, "
      "(SELECT COUNT(*) FROM "
      "image_locations l WHERE l.image_id = i.id AND l.status <> 'deleted'))), 0) FROM images i "
      "WHERE (i.owner = ? OR (i.owner IS NULL AND i.quota_owner = ?)) AND i.id <> ? AND "
      "i.size > 0 AND i.status NOT IN ('killed', 'deleted')",
      p);
  if (!rows) return rows.error();
  return std::stoll(rows->front()[0].value_or("0"));
}

// Whether an update marks the image deleted or pending_delete: glance-api's delete.
bool marks_deleted(const ImageFields& fields) {
  return fields.status && (*fields.status == common::ImageStatus::deleted ||
                           *fields.status == common::ImageStatus::pending_delete);
}

// Fields the registry never takes from a caller on update; an empty owner is no owner.
void apply_update_rules(ImageFields& fields) {
  if (fields.owner && *fields.owner && (*fields.owner)->empty())
    fields.owner = std::optional<std::string>();
  fields.id.reset();
  fields.created_at.reset();
  fields.deleted_at.reset();
  fields.deleted.reset();
}
}  // namespace

std::string MysqlImageRepository::now_sql() const {
  return common::timestamp_to_sql(clock_.now());
}

Result<Image> MysqlImageRepository::reload(MysqlConnection& db, const std::string& id) {
  auto row = find_image_row(db, id, false);
  if (!row) return row.error();
  if (!*row) return Error::not_found("Image not found");
  std::vector<Image> one{std::move(**row)};
  if (auto r = load_details(db, one); !r) return r.error();
  return std::move(one.front());
}

Result<std::optional<Image>> MysqlImageRepository::settled(MysqlConnection& db,
                                                           const std::string& id) {
  auto row = in_plain_transaction(db, [&] { return find_image_row(db, id, true); });
  if (!row || !*row) return row;
  auto image = reload(db, id);
  if (!image) return image.error();
  return std::optional<Image>(std::move(*image));
}

Result<Image> MysqlImageRepository::get(MysqlConnection& db, const common::RequestContext& ctx,
                                        const std::string& id) {
  auto found = find_image_with_details(db, id);
  if (!found) return found.error();
  return only_if_visible(db, ctx, std::move(*found), "No image found with ID " + id);
}

Result<Image> MysqlImageRepository::create(MysqlConnection& db, const common::RequestContext& ctx,
                                           ImageFields fields) {
  auto created = in_transaction(db, [&] { return create_in_transaction(db, ctx, fields); });
  if (!created) return created;
  return reload(db, created->id);
}

Result<std::optional<Image>> MysqlImageRepository::find_created(MysqlConnection& db,
                                                                const common::RequestContext& ctx,
                                                                const ImageFields& fields) {
  if (!fields.id) return Error::internal("a create to read back needs its image id");
  auto found = settled(db, *fields.id);
  if (!found || !*found) return found;
  ImageFields expected = fields;
  apply_create_rules(ctx, expected);
  if (!image_holds(**found, expected, false))
    return Error::conflict("Image with identifier " + *fields.id + " already exists!");
  return found;
}

Result<Image> MysqlImageRepository::create_in_transaction(MysqlConnection& db,
                                                          const common::RequestContext& ctx,
                                                          ImageFields& fields) {
  if (!fields.id) return Error::internal("create needs an image id");
  if (!common::is_uuid_like(*fields.id)) return Error::bad_request("Invalid image id format");
  std::string id = *fields.id;
  fields.id.reset();
  apply_create_rules(ctx, fields);
  if (auto r = common::validate_image_fields(fields); !r) return r.error();
  std::string now = now_sql();

  std::string assignments;
  std::vector<SqlValue> params{id};
  image_column_assignments(fields, &assignments, &params);
  std::string defaults;
  if (!fields.created_at || !*fields.created_at)
    defaults += ", created_at = ?", params.push_back(now);
  if (!fields.updated_at || !*fields.updated_at)
    defaults += ", updated_at = ?", params.push_back(now);
  auto inserted = db.execute(
      "INSERT INTO images SET id = ?" + (assignments.empty() ? "" : ", " + assignments) + defaults,
      params);
  if (!inserted) {
    if (inserted.error().code() == common::Errc::conflict)
      return Error::conflict("Image with identifier " + id + " already exists!");
    return Error::bad_request("Failed to add image metadata. Got error: " +
                              inserted.error().message());
  }
  if (fields.properties)
    if (auto r = write_properties(db, id, *fields.properties, {}, false, now); !r) return r.error();
  if (fields.locations)
    if (auto r = write_locations(db, id, *fields.locations, {}, now); !r) return r.error();
  if (fields.tags)
    if (auto r = write_tags(db, id, *fields.tags, {}, now); !r) return r.error();
  Image img;
  img.id = id;
  return img;
}

Result<Image> MysqlImageRepository::update(MysqlConnection& db, const common::RequestContext& ctx,
                                           const std::string& id, ImageFields fields,
                                           bool purge_props,
                                           std::optional<common::ImageStatus> from_state) {
  auto updated = in_transaction(
      db, [&] { return update_in_transaction(db, ctx, id, fields, purge_props, from_state); });
  if (!updated) return updated;
  auto image = reload(db, id);
  if (image) copy_in_use(updated->locations, image->locations);
  return image;
}

Result<std::optional<Image>> MysqlImageRepository::find_updated(MysqlConnection& db,
                                                                const common::RequestContext& ctx,
                                                                const std::string& id,
                                                                const ImageFields& fields,
                                                                bool purge_props) {
  auto found = settled(db, id);
  if (!found || !*found) return found;
  auto visible = only_if_visible(db, ctx, std::move(*found), "Image not found");
  if (!visible) return visible.error();
  ImageFields expected = fields;
  apply_update_rules(expected);
  if (!image_holds(*visible, expected, purge_props)) return std::optional<Image>();
  // The delete's mark did land; its answer still says which data other images use. Asked
  // after the mark committed, which sees at least what the mark's own transaction saw.
  if (marks_deleted(expected))
    if (auto r = in_plain_transaction(
            db, [&] { return mark_locations_in_use(db, id, visible->locations); });
        !r)
      return r.error();
  return std::optional<Image>(std::move(*visible));
}

Result<Image> MysqlImageRepository::update_in_transaction(
    MysqlConnection& db, const common::RequestContext& ctx, const std::string& id,
    ImageFields& fields, bool purge_props, std::optional<common::ImageStatus> from_state) {
  auto found = find_visible_image(db, ctx, id, true, "Image not found");
  if (!found) return found.error();
  Image& img = *found;
  if (auto r = check_can_modify(ctx, img); !r) return r.error();
  if (from_state && img.status != *from_state) return Error::conflict("Image operation conflicts");

  apply_update_rules(fields);
  if (auto r = common::validate_image_fields(fields); !r) return r.error();
  auto moment = clock_.now();
  std::string now = common::timestamp_to_sql(moment);
  fields.updated_at = common::format_timestamp(moment);

  std::string assignments;
  std::vector<SqlValue> params;
  image_column_assignments(fields, &assignments, &params);
  params.push_back(id);
  auto written = db.execute("UPDATE images SET " + assignments + " WHERE id = ?", params);
  if (!written) {
    if (written.error().code() == common::Errc::bad_request)
      return Error::bad_request("Failed to update image metadata. Got error: " +
                                written.error().message());
    return written.error();
  }

  if (fields.properties || purge_props || fields.locations || fields.tags) {
    std::vector<Image> one{img};
    if (auto r = load_details(db, one); !r) return r.error();
    img = std::move(one.front());
  }
  if (fields.properties || purge_props) {
    auto r = write_properties(db, id, fields.properties.value_or(common::ImageProperties{}),
                              img.properties, purge_props, now);
    if (!r) return r.error();
  }
  if (fields.locations)
    if (auto r = write_locations(db, id, *fields.locations, img.locations, now); !r)
      return r.error();
  if (fields.tags)
    if (auto r = write_tags(db, id, *fields.tags, img.tags, now); !r) return r.error();
  // A caller who gives its image away must still see it afterwards, or the whole update is
  // undone and the image is missing to it, as upstream answers.
  if (fields.owner && !ctx.is_admin)
    if (auto r = find_visible_image(db, ctx, id, false, "No image found with ID " + id); !r)
      return r.error();
  // In the mark's transaction, so that a concurrent delete of an image sharing a url
  // serializes with this one (location_use.h).
  if (marks_deleted(fields)) {
    if (!(fields.properties || purge_props || fields.locations || fields.tags)) {
      std::vector<Image> one{img};
      if (auto r = load_details(db, one); !r) return r.error();
      img = std::move(one.front());
    }
    if (auto r = mark_locations_in_use(db, id, img.locations); !r) return r.error();
  }
  return std::move(img);
}

Result<Image> MysqlImageRepository::destroy(MysqlConnection& db, const common::RequestContext& ctx,
                                            const std::string& id) {
  auto destroyed = in_transaction(db, [&] { return destroy_in_transaction(db, ctx, id); });
  if (!destroyed) return destroyed;
  return reload(db, id);
}

Result<std::optional<Image>> MysqlImageRepository::find_destroyed(MysqlConnection& db,
                                                                  const common::RequestContext&,
                                                                  const std::string& id) {
  auto found = settled(db, id);
  if (!found || !*found || (*found)->deleted) return found;
  return std::optional<Image>();
}

Result<Image> MysqlImageRepository::destroy_in_transaction(MysqlConnection& db,
                                                           const common::RequestContext& ctx,
                                                           const std::string& id) {
  auto found = find_visible_image(db, ctx, id, true, "Image not found");
  if (!found) return found.error();
  if (auto r = check_can_modify(ctx, *found); !r) return r.error();
  std::string now = now_sql();
  SqlValue image_params[] = {now, now, id};
  if (auto r =
          db.execute("UPDATE images SET deleted = 1, deleted_at = ?, updated_at = ? WHERE id = ?",
                     image_params);
      !r)
    return r.error();
  // Everything hanging off the image goes with the same timestamp.
  SqlValue p[] = {now, now, id};
  for (const char* sql : {
           "UPDATE image_properties SET deleted = 1, deleted_at = ?, updated_at = ? "
           "WHERE image_id = ? AND deleted = 0",
           "UPDATE image_locations SET deleted = 1, deleted_at = ?, updated_at = ?, "
           "status = 'deleted' WHERE image_id = ? AND deleted = 0",
           "UPDATE image_members SET deleted = 1, deleted_at = ?, updated_at = ? "
           "WHERE image_id = ? AND deleted = 0",
           "UPDATE image_tags SET deleted = 1, deleted_at = ?, updated_at = ? "
           "WHERE image_id = ? AND deleted = 0",
       })
    if (auto r = db.execute(sql, p); !r) return r.error();
  return std::move(*found);
}

Result<int64_t> MysqlImageRepository::storage_usage(MysqlConnection& db,
                                                    const common::RequestContext& ctx,
                                                    const std::string& owner,
                                                    const std::string& exclude_image) {
  if (!ctx.is_admin && ctx.owner() != owner)
    return Error::forbidden("Storage usage of another owner is not yours to see.");
  return owner_usage(db, owner, exclude_image);
}

Result<StorageReservation> MysqlImageRepository::reserve_storage(MysqlConnection& db,
                                                                 const common::RequestContext& ctx,
                                                                 const std::string& id,
                                                                 int64_t size, int64_t quota) {
  auto found = find_visible_image(db, ctx, id, false, "Image not found");
  if (!found) return found.error();
  if (auto r = check_can_modify(ctx, *found); !r) return r.error();
  std::optional<std::string> owner = found->owner ? found->owner : ctx.owner();
  if (!owner) owner = std::string();
  // A fence rather than row locks: the rows to lock include those of images the owner
  // creates meanwhile.
  auto reserved = in_fenced_transaction(db, owner_fence(*owner), [&]() {
    return reserve_in_transaction(db, *owner, id, size, quota);
  });
  return reserved;
}

Result<StorageReservation> MysqlImageRepository::reserve_in_transaction(MysqlConnection& db,
                                                                        const std::string& owner,
                                                                        const std::string& id,
                                                                        int64_t size,
                                                                        int64_t quota) {
  auto row = find_image_row(db, id, true);
  if (!row) return row.error();
  if (!*row || (*row)->status != common::ImageStatus::saving)
    return Error::conflict("Image operation conflicts");
  auto used = owner_usage(db, owner, id);
  if (!used) return used.error();
  if (*used + size > quota) return StorageReservation{false, *used};
  std::string now = now_sql();
  SqlValue p[] = {size, owner, now, id};
  if (auto r =
          db.execute("UPDATE images SET size = ?, quota_owner = ?, updated_at = ? WHERE id = ?", p);
      !r)
    return r.error();
  return StorageReservation{true, *used};
}

Result<std::optional<StorageReservation>> MysqlImageRepository::find_reservation(
    MysqlConnection& db, const common::RequestContext& ctx, const std::string& id, int64_t size) {
  auto found = settled(db, id);
  if (!found) return found.error();
  if (!*found || (*found)->status != common::ImageStatus::saving || (*found)->size != size)
    return std::optional<StorageReservation>();
  std::string owner = (*found)->owner ? *(*found)->owner : ctx.owner().value_or("");
  // The size alone may be the one the image declared: only the quota owner's mark says that a
  // reservation committed. settled() waited for any commit in flight.
  SqlValue p[] = {id, owner};
  auto marked = db.query("SELECT 1 FROM images WHERE id = ? AND quota_owner = ?", p);
  if (!marked) return marked.error();
  if (marked->empty()) return std::optional<StorageReservation>();
  auto used = owner_usage(db, owner, id);
  if (!used) return used.error();
  return std::optional<StorageReservation>(StorageReservation{true, *used});
}

}  // namespace glance::registry
