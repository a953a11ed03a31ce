#include "common/image_id.h"

#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid_io.hpp>

#include <cctype>

namespace glance::common {

bool is_uuid_like(std::string_view text) {
  if (text.starts_with("urn:uuid:")) text.remove_prefix(9);
  if (text.size() >= 2 && text.front() == '{' && text.back() == '}')
    text = text.substr(1, text.size() - 2);
  int hex = 0;
  for (char c : text) {
    if (c == '-') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    ++hex;
  }
  return hex == 32;
}

std::string RandomIdGenerator::new_id() {
  // One generator per thread: boost's random_generator is not thread-safe.
  thread_local boost::uuids::random_generator gen;
  return boost::uuids::to_string(gen());
}

}  // namespace glance::common
