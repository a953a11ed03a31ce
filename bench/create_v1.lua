-- wrk script: POST /v1/images through glance-api, metadata only (no image data).
wrk.method = "POST"
wrk.headers["x-image-meta-disk_format"] = "raw"
wrk.headers["x-image-meta-container_format"] = "bare"
wrk.headers["x-image-meta-property-purpose"] = "bench"
wrk.headers["Content-Length"] = "0"
local counter = 0
request = function()
  counter = counter + 1
  wrk.headers["x-image-meta-name"] = "bench-" .. counter
  return wrk.format()
end
