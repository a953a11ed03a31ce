#include "registry/db/migrations.h"

#include <spdlog/spdlog.h>

#include <string_view>
#include <vector>

namespace glance::registry {

namespace {

// Migration N is kMigrations[N - 1]. Never edit a released migration: add a new one.
// The tables are Glance's (queens head) so that existing data and tools fit; timestamps keep
// microseconds (DATETIME(6)) because list order ties break on created_at. The images indexes
// differ: the default list order (created_at, id) is served by (deleted, created_at, id) and
// (visibility, deleted, created_at, id); single-column deleted/visibility indexes made MySQL
// intersect them and sort every live row instead.
const std::vector<std::vector<std::string_view>> kMigrations = {
    {
        R"sql(CREATE TABLE images (
  id VARCHAR(36) NOT NULL,
  name VARCHAR(255) NULL,
  size BIGINT NULL,
  status VARCHAR(30) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NULL,
  deleted_at DATETIME(6) NULL,
  deleted TINYINT(1) NOT NULL DEFAULT 0,
  disk_format VARCHAR(20) NULL,
  container_format VARCHAR(20) NULL,
  checksum VARCHAR(32) NULL,
  owner VARCHAR(255) NULL,
  min_disk INT NOT NULL DEFAULT 0,
  min_ram INT NOT NULL DEFAULT 0,
  protected TINYINT(1) NOT NULL DEFAULT 0,
  virtual_size BIGINT NULL,
  visibility ENUM('private','public','shared','community') NOT NULL DEFAULT 'shared',
  PRIMARY KEY (id),
  KEY checksum_image_idx (checksum),
  KEY visibility_image_idx (visibility, deleted, created_at, id),
  KEY owner_image_idx (owner),
  KEY created_at_image_idx (created_at),
  KEY updated_at_image_idx (updated_at),
  KEY ix_images_deleted_created_id (deleted, created_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci)sql",
        R"sql(CREATE TABLE image_properties (
  id INT NOT NULL AUTO_INCREMENT,
  image_id VARCHAR(36) NOT NULL,
  name VARCHAR(255) NOT NULL,
  value TEXT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NULL,
  deleted_at DATETIME(6) NULL,
  deleted TINYINT(1) NOT NULL DEFAULT 0,
  PRIMARY KEY (id),
  UNIQUE KEY ix_image_properties_image_id_name (image_id, name),
  KEY ix_image_properties_deleted (deleted),
  KEY ix_image_properties_name_value (name, value(64)),
  CONSTRAINT image_properties_ibfk_1 FOREIGN KEY (image_id) REFERENCES images (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci)sql",
        R"sql(CREATE TABLE image_locations (
  id INT NOT NULL AUTO_INCREMENT,
  image_id VARCHAR(36) NOT NULL,
  value TEXT NOT NULL,
  meta_data TEXT NULL,
  status VARCHAR(30) NOT NULL DEFAULT 'active',
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NULL,
  deleted_at DATETIME(6) NULL,
  deleted TINYINT(1) NOT NULL DEFAULT 0,
  PRIMARY KEY (id),
  KEY ix_image_locations_image_id (image_id),
  KEY ix_image_locations_deleted (deleted),
  CONSTRAINT image_locations_ibfk_1 FOREIGN KEY (image_id) REFERENCES images (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci)sql",
        R"sql(CREATE TABLE image_members (
  id INT NOT NULL AUTO_INCREMENT,
  image_id VARCHAR(36) NOT NULL,
  member VARCHAR(255) NOT NULL,
  can_share TINYINT(1) NOT NULL DEFAULT 0,
  status VARCHAR(20) NOT NULL DEFAULT 'pending',
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NULL,
  deleted_at DATETIME(6) NULL,
  deleted TINYINT(1) NOT NULL DEFAULT 0,
  PRIMARY KEY (id),
  UNIQUE KEY image_members_image_id_member_deleted_at_key (image_id, member, deleted_at),
  KEY ix_image_members_deleted (deleted),
  KEY ix_image_members_image_id (image_id),
  KEY ix_image_members_image_id_member (image_id, member),
  KEY ix_image_members_member (member),
  CONSTRAINT image_members_ibfk_1 FOREIGN KEY (image_id) REFERENCES images (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci)sql",
        R"sql(CREATE TABLE image_tags (
  id INT NOT NULL AUTO_INCREMENT,
  image_id VARCHAR(36) NOT NULL,
  value VARCHAR(255) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NULL,
  deleted_at DATETIME(6) NULL,
  deleted TINYINT(1) NOT NULL DEFAULT 0,
  PRIMARY KEY (id),
  KEY ix_image_tags_image_id (image_id),
  KEY ix_image_tags_image_id_tag_value (image_id, value),
  CONSTRAINT image_tags_ibfk_1 FOREIGN KEY (image_id) REFERENCES images (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci)sql",
    },
    // 2: a SHA-256 digest beside the MD5 checksum, with Glance v2's column names. Columns,
    // not properties, so that property updates and purges never touch them.
    {
        "ALTER TABLE images ADD COLUMN os_hash_algo VARCHAR(64) NULL, "
        "ADD COLUMN os_hash_value VARCHAR(128) NULL, "
        "ADD KEY os_hash_value_image_idx (os_hash_value)",
    },
    // 3: the tenant whose user_storage_quota an upload was charged to, set when its bytes are
    // reserved. An image without an owner counts for that tenant, so concurrent ownerless
    // uploads see each other's reservations.
    {
        "ALTER TABLE images ADD COLUMN quota_owner VARCHAR(255) NULL, "
        "ADD KEY quota_owner_image_idx (quota_owner)",
    },
    // 4: fence rows (write_fence.h), which replace a named lock Galera does not support.
    // The name is "owner:" or "image:" and up to 255 characters.
    {
        R"sql(CREATE TABLE write_fences (
  name VARCHAR(262) NOT NULL,
  generation BIGINT NOT NULL,
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin)sql",
    },
    // 5: Glance v2's hidden images (upstream's Rocky column): left out of v2 lists unless
    // asked for. v1 ignores it.
    {
        "ALTER TABLE images ADD COLUMN os_hidden TINYINT(1) NOT NULL DEFAULT 0",
    },
    // 6: list pages in index order whatever the registry's size. A list walks one index
    // range per visibility arm (public, the caller's own, a visibility value) in the order of
    // its sort key, stopping at the page size: (visibility, deleted, key, created_at, id) and
    // (owner, deleted, key, created_at, id) for every sort key. Sort keys that may be NULL
    // sort as '' or 0 (or updated_at as created_at), so their values are stored columns.
    // The member arm starts from the caller's memberships: (member, deleted, status,
    // image_id).
    {
        "ALTER TABLE images "
        "ADD COLUMN sort_name VARCHAR(255) AS (COALESCE(name, '')) STORED, "
        "ADD COLUMN sort_size BIGINT AS (COALESCE(size, 0)) STORED, "
        "ADD COLUMN sort_disk_format VARCHAR(20) AS (COALESCE(disk_format, '')) STORED, "
        "ADD COLUMN sort_container_format VARCHAR(20) AS (COALESCE(container_format, '')) "
        "STORED, "
        "ADD COLUMN sort_updated_at DATETIME(6) AS (COALESCE(updated_at, created_at)) STORED",
        "ALTER TABLE images "
        "ADD KEY ix_images_vis_name (visibility, deleted, sort_name, created_at, id), "
        "ADD KEY ix_images_vis_status (visibility, deleted, status, created_at, id), "
        "ADD KEY ix_images_vis_container (visibility, deleted, sort_container_format, "
        "created_at, id), "
        "ADD KEY ix_images_vis_disk (visibility, deleted, sort_disk_format, created_at, id), "
        "ADD KEY ix_images_vis_size (visibility, deleted, sort_size, created_at, id), "
        "ADD KEY ix_images_vis_updated (visibility, deleted, sort_updated_at, created_at, id), "
        "ADD KEY ix_images_vis_id (visibility, deleted, id), "
        "ADD KEY ix_images_owner_created (owner, deleted, created_at, id), "
        "ADD KEY ix_images_owner_name (owner, deleted, sort_name, created_at, id), "
        "ADD KEY ix_images_owner_status (owner, deleted, status, created_at, id), "
        "ADD KEY ix_images_owner_container (owner, deleted, sort_container_format, created_at, "
        "id), "
        "ADD KEY ix_images_owner_disk (owner, deleted, sort_disk_format, created_at, id), "
        "ADD KEY ix_images_owner_size (owner, deleted, sort_size, created_at, id), "
        "ADD KEY ix_images_owner_updated (owner, deleted, sort_updated_at, created_at, id), "
        "ADD KEY ix_images_owner_id (owner, deleted, id)",
        // A lone (deleted) index made MySQL intersect it with (member): a scan of every live
        // membership. (deleted, deleted_at) still serves the purge, in its order.
        "ALTER TABLE image_members "
        "ADD KEY ix_image_members_member_deleted (member, deleted, status, image_id), "
        "ADD KEY ix_image_members_deleted_at (deleted, deleted_at), "
        "DROP KEY ix_image_members_deleted",
    },
    // 7: a delete and a scrub ask whether another live image has the same location url
    // (location_use.h); without this they scanned every location row, and their share lock
    // covered the whole table. value is TEXT, so the key is a prefix: 255 characters hold
    // our stores' urls whole, and longer ones only share the key's range.
    {
        "ALTER TABLE image_locations ADD KEY ix_image_locations_value (value(255))",
    },
};

constexpr std::string_view kCreateVersionTable =
    "CREATE TABLE IF NOT EXISTS glance_schema_version (version INT NOT NULL, "
    "applied_at DATETIME(6) NOT NULL, PRIMARY KEY (version)) ENGINE=InnoDB";

}  // namespace

int required_schema_version() {
  return static_cast<int>(kMigrations.size());
}

Result<int> schema_version(MysqlConnection& db) {
  auto exists = db.query(
      "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND "
      "table_name = 'glance_schema_version'");
  if (!exists) return exists.error();
  if ((*exists)[0][0].value_or("0") == "0") return 0;
  auto rows = db.query("SELECT COALESCE(MAX(version), 0) FROM glance_schema_version");
  if (!rows) return rows.error();
  return std::stoi((*rows)[0][0].value_or("0"));
}

Result<int> db_sync(MysqlConnection& db) {
  if (auto r = db.execute_plain(kCreateVersionTable); !r) return r.error();
  auto current = schema_version(db);
  if (!current) return current.error();
  for (int version = *current + 1; version <= required_schema_version(); ++version) {
    // MySQL commits DDL implicitly, so a migration is not atomic; each statement is
    // idempotent enough to rerun only after a manual fix, and the version row is written last.
    for (auto sql : kMigrations[static_cast<size_t>(version - 1)])
      if (auto r = db.execute_plain(sql); !r) return r.error();
    SqlValue v = int64_t{version};
    if (auto r = db.execute(
            "INSERT INTO glance_schema_version (version, applied_at) VALUES (?, UTC_TIMESTAMP(6))",
            std::span(&v, 1));
        !r)
      return r.error();
    spdlog::info("applied schema migration {}", version);
  }
  return required_schema_version();
}

}  // namespace glance::registry
