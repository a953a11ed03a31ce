#pragma once

#include <cstddef>
#include <span>
#include <string>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace glance::common {

// An incremental digest over OpenSSL EVP, given as lower-case hex. Not thread-safe; one
// digest per stream of bytes. Movable, not copyable.
class HexDigest {
 public:
  enum class Algorithm { md5, sha256 };

  explicit HexDigest(Algorithm algorithm);
  ~HexDigest();
  HexDigest(HexDigest&& other) noexcept;
  HexDigest& operator=(HexDigest&& other) noexcept;
  HexDigest(const HexDigest&) = delete;
  HexDigest& operator=(const HexDigest&) = delete;

  void update(std::span<const char> data);
  // Ends the digest; update() must not be called afterwards.
  std::string hex_final();

 private:
  ::evp_md_ctx_st* ctx_;
};

// MD5, as Glance checksums image data.
class Md5Digest : public HexDigest {
 public:
  Md5Digest() : HexDigest(Algorithm::md5) {}
};

// SHA-256, Glance v2's os_hash_value with os_hash_algo "sha256".
class Sha256Digest : public HexDigest {
 public:
  Sha256Digest() : HexDigest(Algorithm::sha256) {}
};

// Digests of a whole buffer, for tests and small inputs.
std::string md5_hex(std::span<const char> data);
std::string sha256_hex(std::span<const char> data);

}  // namespace glance::common
