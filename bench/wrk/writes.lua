-- Write load: every request is made by a different signed-in citizen, so each successful
-- response is exactly one new row (support, comment or ballot) that the driver checks after.
--
-- Environment (set by bench/loadtest.py):
--   BENCH_SESSIONS  file with one "sessionid csrftoken" line per citizen
--   BENCH_KIND      support | comment | vote
--   BENCH_PATHS     file with the paths to post to, one per line (picked at random)
--   BENCH_HOST      the municipality's hostname
--   BENCH_BODY      the form body (for votes: the ballot; for comments: body and position)
local sessions = {}
local paths = {}
local threads = {}
counter = 0
wrapped = 0
thread_id = 0
local thread_count = 1
ok = 0
refused = 0
failed = 0
unavailable = 0

local function lines(path)
  local out = {}
  for line in io.lines(path) do
    if line ~= "" then
      table.insert(out, line)
    end
  end
  return out
end

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function init(args)
  sessions = lines(os.getenv("BENCH_SESSIONS"))
  paths = lines(os.getenv("BENCH_PATHS"))
  thread_count = tonumber(os.getenv("BENCH_THREADS") or "1")
  math.randomseed(os.time() + thread_id * 7919)
end

function request()
  -- Citizens thread_id, thread_id + threads, ...: no two requests share one.
  local index = thread_id + thread_count * counter + 1
  counter = counter + 1
  if index > #sessions then
    index = ((index - 1) % #sessions) + 1
    wrapped = (wrapped or 0) + 1
  end
  local session, token = sessions[index]:match("(%S+) (%S+)")
  local path = paths[math.random(#paths)]
  local headers = {
    ["Host"] = os.getenv("BENCH_HOST"),
    ["Cookie"] = "sessionid=" .. session .. "; csrftoken=" .. token,
    ["X-CSRFToken"] = token,
    ["HX-Request"] = "true",
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
  return wrk.format("POST", path, headers, os.getenv("BENCH_BODY"))
end

function response(status, headers, body)
  if status == 200 or status == 302 then
    ok = ok + 1
  elseif status < 500 then
    refused = refused + 1
  else
    failed = failed + 1
    if friendly_503(status, headers, body) then
      unavailable = unavailable + 1
    end
  end
end

-- The database's own page (cms/templates/503.html, with Retry-After), not a generic error.
function friendly_503(status, headers, body)
  return status == 503 and headers["Retry-After"] ~= nil
    and body ~= nil and string.find(body, "error-page--unavailable", 1, true) ~= nil
end

function done(summary, latency, requests)
  local total_ok, total_refused, total_failed, total_wrapped, sent = 0, 0, 0, 0, 0
  local total_unavailable = 0
  for _, thread in ipairs(threads) do
    sent = sent + (thread:get("counter") or 0)
    total_ok = total_ok + (thread:get("ok") or 0)
    total_refused = total_refused + (thread:get("refused") or 0)
    total_failed = total_failed + (thread:get("failed") or 0)
    total_wrapped = total_wrapped + (thread:get("wrapped") or 0)
    total_unavailable = total_unavailable + (thread:get("unavailable") or 0)
  end
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "ok": %d, "refused": %d, "http_errors": %d, "wrapped": %d, ' ..
    '"sent": %d, "unavailable": %d, "socket_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, total_ok, total_refused, total_failed, total_wrapped, sent,
    total_unavailable,
    summary.errors.connect + summary.errors.read + summary.errors.write,
    summary.errors.timeout))
end
