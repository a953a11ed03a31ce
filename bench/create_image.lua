-- wrk script: POST /images with a small JSON image, as glance-api does on reserve.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local counter = 0
request = function()
  counter = counter + 1
  local body = string.format(
    '{"image": {"name": "bench-%d", "status": "queued", "disk_format": "raw", ' ..
    '"container_format": "bare", "is_public": true, "properties": {"purpose": "bench"}}}',
    counter)
  return wrk.format(nil, nil, nil, body)
end
