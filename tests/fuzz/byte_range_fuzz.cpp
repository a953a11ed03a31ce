// The Range header of an image GET against a representation size: the first 8 bytes of the
// input are the size, the rest the header value.
#include "api/byte_range.h"
#include "tests/fuzz/fuzz_check.h"

#include <cstring>

using glance::api::RangeAnswer;
using glance::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  uint64_t image_size = 0;
  if (size >= sizeof image_size) {
    std::memcpy(&image_size, data, sizeof image_size);
    data += sizeof image_size;
    size -= sizeof image_size;
  }
  // Small sizes are where the off-by-ones live; keep half the inputs there.
  if (image_size & 1) image_size = (image_size >> 1) % 1024;
  auto header = glance::fuzz::as_text(data, size);
  auto answer = glance::api::answer_range(header, image_size);
  switch (answer.kind) {
    case RangeAnswer::Kind::partial: {
      check(answer.length > 0, "a partial answer has at least one byte");
      check(answer.offset < image_size, "a partial answer starts inside the image");
      check(answer.length <= image_size - answer.offset, "a partial answer ends inside the image");
      auto range = glance::api::content_range(answer, image_size);
      check(range.starts_with("bytes "), "Content-Range names its unit");
      break;
    }
    case RangeAnswer::Kind::unsatisfiable:
    case RangeAnswer::Kind::whole:
      break;
  }
  check(glance::api::answer_range(std::nullopt, image_size).kind == RangeAnswer::Kind::whole,
        "no Range header means the whole image");
  return 0;
}
