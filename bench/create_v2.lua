-- wrk script: POST /v2/images (upstream Glance), metadata only, as the Images API v2 creates.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local counter = 0
request = function()
  counter = counter + 1
  local body = string.format(
    '{"name": "bench-%d", "disk_format": "raw", "container_format": "bare", "purpose": "bench"}',
    counter)
  return wrk.format(nil, nil, nil, body)
end
