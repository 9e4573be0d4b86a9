-- Fetch with throttles: take a slot and pop the job in one step, so no number of workers
-- fetching at once can exceed a limit. Loaded after fetch.lua wrapped as
-- `fetch_one(KEYS, ARGV)`, which pops and reserves from one queue exactly as a plain FETCH does.
-- KEYS[1] = working, KEYS[2..n+1] = queue lists in priority order,
-- KEYS[n+2..2n+1] = each queue's slot set (ZSET jid -> slot expiry), its own list if unthrottled
-- ARGV[1..b] = fetch.lua's arguments, then from ARGV[b+1]: now (epoch seconds, fractional),
-- then limit and timeout (seconds) for each queue (limit 0: unthrottled); ARGV[#ARGV] = b
-- Returns {job or false, member or false, queue index or 0, {full queue indices},
-- {reclaimed slots per queue}}; a queue is "full" when its slots are all taken and it has jobs.

local base = tonumber(ARGV[#ARGV])
local now = tonumber(ARGV[base + 1])
local n = (#KEYS - 1) / 2
local full, reclaimed = {}, {}
for i = 1, n do
  local queue, slots = KEYS[1 + i], KEYS[1 + n + i]
  local limit = tonumber(ARGV[base + 2 * i])
  local take = true
  reclaimed[i] = 0
  if limit > 0 then
    reclaimed[i] = redis.call('ZREMRANGEBYSCORE', slots, '-inf', now)
    if redis.call('ZCARD', slots) >= limit then
      take = false
      if redis.call('LLEN', queue) > 0 then
        full[#full + 1] = i
      end
    end
  end
  if take then
    local reply = fetch_one({KEYS[1], queue}, ARGV)
    if reply then
      if limit > 0 then
        local timeout = tonumber(ARGV[base + 2 * i + 1])
        redis.call('ZADD', slots, now + timeout, cjson.decode(reply[1])['jid'])
      end
      return {reply[1], reply[2], i, full, reclaimed}
    end
  end
end
return {false, false, 0, full, reclaimed}
