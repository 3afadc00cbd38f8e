-- Read-only load: every connection asks for the same page. The Host header (the municipality)
-- comes from the command line (-H "Host: ..."); done() prints one JSON line the driver reads.
errors = 0
server_errors = 0
unavailable = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function response(status, headers, body)
  if status ~= 200 then
    errors = errors + 1
  end
  if status >= 500 then
    server_errors = server_errors + 1
    -- The database's own page (cms/templates/503.html), not a generic error.
    if status == 503 and headers["Retry-After"] ~= nil and body ~= nil
        and string.find(body, "error-page--unavailable", 1, true) ~= nil then
      unavailable = unavailable + 1
    end
  end
end

function done(summary, latency, requests)
  local bad, server, friendly = 0, 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("errors") or 0)
    server = server + (thread:get("server_errors") or 0)
    friendly = friendly + (thread:get("unavailable") or 0)
  end
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "http_errors": %d, "server_errors": %d, "unavailable": %d, ' ..
    '"socket_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, bad, server, friendly,
    summary.errors.connect + summary.errors.read + summary.errors.write,
    summary.errors.timeout))
end
