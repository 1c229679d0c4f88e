-- wrk script for the benchmark: rotate over a file of paths, optionally make every URL unique
-- (a cache miss the honest way: the page is computed and stored, never served from the cache),
-- count statuses and X-Cache answers, and print one JSON line with the latency percentiles.
--
--   wrk … -s bench/wrk/rotate.lua URL -- PATHS_FILE BUST(0|1) RUN_TAG ["Header: value" …]

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    if #line > 0 then
      paths[#paths + 1] = line
    end
  end
  bust = args[2] == "1"
  tag = args[3] .. "t" .. tostring(id)
  for i = 4, #args do
    local name, value = args[i]:match("^([^:]+):%s*(.*)$")
    if name then
      wrk.headers[name] = value
    end
  end
  -- Threads start at different places in the list, so that they do not request the same URLs.
  counter = (id - 1) * math.floor(#paths / 4)
  hits, misses, uncached = 0, 0, 0
  s2, s3, s4, s5 = 0, 0, 0, 0
end

function request()
  counter = counter + 1
  local path = paths[((counter - 1) % #paths) + 1]
  if bust then
    local sep = path:find("?", 1, true) and "&" or "?"
    path = path .. sep .. "_bench=" .. tag .. "n" .. counter
  end
  return wrk.format(nil, path)
end

function response(status, headers, body)
  local cached = headers["X-Cache"] or headers["x-cache"]
  if cached == "HIT" then
    hits = hits + 1
  elseif cached == "MISS" then
    misses = misses + 1
  else
    uncached = uncached + 1
  end
  if status >= 500 then
    s5 = s5 + 1
  elseif status >= 400 then
    s4 = s4 + 1
  elseif status >= 300 then
    s3 = s3 + 1
  else
    s2 = s2 + 1
  end
end

function done(summary, latency, requests)
  local totals = { hits = 0, misses = 0, uncached = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + (thread:get(name) or 0)
    end
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, '
      .. '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, '
      .. '"non_2xx_3xx": %d, '
      .. '"latency_us": {"p50": %d, "p90": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f}, '
      .. '"x_cache": {"hit": %d, "miss": %d, "none": %d}, '
      .. '"status": {"2xx": %d, "3xx": %d, "4xx": %d, "5xx": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean,
    totals.hits, totals.misses, totals.uncached,
    totals.s2, totals.s3, totals.s4, totals.s5
  ))
end
