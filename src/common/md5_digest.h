#pragma once

#include <cstddef>
#include <span>
#include <string>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace glance::common {

// An incremental MD5 over OpenSSL EVP, as Glance checksums image data (hex, lower case).
// Not thread-safe; one digest per stream of bytes. Movable, not copyable.
class Md5Digest {
 public:
  Md5Digest();
  ~Md5Digest();
  Md5Digest(Md5Digest&& other) noexcept;
  Md5Digest& operator=(Md5Digest&& other) noexcept;
  Md5Digest(const Md5Digest&) = delete;
  Md5Digest& operator=(const Md5Digest&) = delete;

  void update(std::span<const char> data);
  // Ends the digest; update() must not be called afterwards.
  std::string hex_final();

 private:
  ::evp_md_ctx_st* ctx_;
};

// The MD5 of a whole buffer, for tests and small inputs.
std::string md5_hex(std::span<const char> data);

}  // namespace glance::common
