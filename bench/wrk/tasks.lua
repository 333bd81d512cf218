-- wrk script for the task benchmarks of docs/BENCHMARKS.md.
--   MODE=create     POST /v1/tasks, one task per request
--   MODE=batch      POST /v1/tasks/batch with BATCH tasks per request
--   MODE=drain      claim CLAIM tasks, complete them one by one, from a pre-created backlog
--                   (give one larger than the run can finish: the rate is completions / duration)
--   MODE=lifecycle  create BATCH (batched, or single when BATCH=1), claim CLAIM, complete each
-- KEY is the API key. Each wrk thread is one agent ("wrk-<n>") shared by its connections.
-- done() prints tasks/s from the completions counted in response().

local mode = os.getenv("MODE") or "drain"
local claim_batch = tonumber(os.getenv("CLAIM") or "10")
local create_batch = tonumber(os.getenv("BATCH") or "10")
local key = os.getenv("KEY") or error("set KEY to an API key")

local threads = {}
local n = 0
function setup(thread)
  n = n + 1
  thread:set("agent", "wrk-" .. n)
  table.insert(threads, thread)
end

local hdrs = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key }
local queue = {}
local creating = 0
empty = 0
completed = 0
created = 0
errors = 0

local function batch_body(k)
  local parts = {}
  for i = 1, k do parts[i] = '{"type":"work","payload":{"n":' .. i .. '}}' end
  return '{"tasks":[' .. table.concat(parts, ",") .. ']}'
end
local one_body = '{"type":"work","payload":{"n":1}}'
local many_body = batch_body(create_batch)

function request()
  if mode == "create" then
    return wrk.format("POST", "/v1/tasks", hdrs, one_body)
  elseif mode == "batch" then
    return wrk.format("POST", "/v1/tasks/batch", hdrs, many_body)
  end
  if #queue > 0 then
    local t = table.remove(queue, 1)
    return wrk.format("POST", "/v1/tasks/" .. t.id .. "/complete", hdrs,
      '{"agent":"' .. agent .. '","attempt":' .. t.attempt .. '}')
  end
  if mode == "lifecycle" and creating > 0 then
    creating = creating - 1
    if create_batch == 1 then return wrk.format("POST", "/v1/tasks", hdrs, one_body) end
    return wrk.format("POST", "/v1/tasks/batch", hdrs, many_body)
  end
  return wrk.format("POST", "/v1/tasks/claim", hdrs,
    '{"agent":"' .. agent .. '","limit":' .. claim_batch .. '}')
end

function response(status, headers, body)
  if status >= 300 then
    errors = errors + 1
    return
  end
  if body:sub(1, 9) == '{"items":' and (mode == "drain" or mode == "lifecycle") and status == 200 then
    local got = 0
    for id, attempt in body:gmatch('"id":"([^"]+)".-"attempt":(%d+)') do
      table.insert(queue, { id = id, attempt = attempt })
      got = got + 1
    end
    if got == 0 then
      empty = empty + 1
      if mode == "lifecycle" then
        creating = create_batch == 1 and claim_batch or 1
      end
    end
  elseif status == 201 then
    created = created + ((mode == "batch" or (mode == "lifecycle" and create_batch > 1)) and create_batch or 1)
  elseif status == 200 then
    completed = completed + 1
  end
end

function done(summary, latency, requests)
  local c, k, e, z = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("completed")
    k = k + t:get("created")
    e = e + t:get("errors")
    z = z + t:get("empty")
  end
  local secs = summary.duration / 1e6
  io.write(string.format("mode=%s: %d created (%.0f/s), %d completed (%.0f tasks/s) in %.2fs; %d empty claims; %d non-2xx\n",
    mode, k, k / secs, c, c / secs, secs, z, e))
  io.write(string.format("request latency: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms over %d requests\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.requests))
end
