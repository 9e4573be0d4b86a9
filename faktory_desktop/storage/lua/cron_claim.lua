-- Claim one minute of a cron entry, so that minute fires once whatever restarts in between.
-- KEYS[1] = the hash of last fired minutes; ARGV[1] = entry id, ARGV[2] = the minute (epoch s)
-- Returns 1 when claimed, 0 when that minute (or a later one) was already fired.
local last = tonumber(redis.call('HGET', KEYS[1], ARGV[1]))
if last and last >= tonumber(ARGV[2]) then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
