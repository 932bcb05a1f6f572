-- wrk script: a mix of IRIs and formats, as linked-data clients dereference them.
local paths = {"/event/miejsca-otwarte-2017", "/organization/warszawa-lokalnie", "/place/bok-glebocka-66",
               "/person/marta-zakowska", "/event/miejsca-otwarte-2017/panel-a", "/role/media-patron"}
local accepts = {"text/turtle", "application/ld+json", "text/html", "application/n-triples"}
local counter = 0
-- `wrk … -- text/html`: the IRIs in that one format.
init = function(args)
  if #args > 0 then accepts = {args[1]} end
end
request = function()
  counter = counter + 1
  local path = paths[(counter % #paths) + 1]
  local accept = accepts[(math.floor(counter / #paths) % #accepts) + 1]
  return wrk.format("GET", path, {["Accept"] = accept})
end
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("RESULT requests=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f errors=%d non2xx=%d rps=%.0f\n",
    summary.requests, latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    errors.connect + errors.read + errors.write + errors.timeout, errors.status,
    summary.requests / (summary.duration / 1000000)))
end
