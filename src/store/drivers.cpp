#include "store/driver.h"

#include "store/file/file_driver.h"
#include "store/http/http_driver.h"
#include "store/rbd/rbd_driver.h"
#include "store/s3/s3_driver.h"
#include "store/swift/swift_driver.h"

namespace glance::store {

const std::vector<Driver>& known_drivers() {
  // One line per driver.
  static const std::vector<Driver> drivers{file_driver(), http_driver(), swift_driver(),
                                           s3_driver(), rbd_driver()};
  return drivers;
}

}  // namespace glance::store
