-- Fail a job with Enterprise fields: as fail.lua, then record the failure for tracking and count
-- it in its batch (a batch completes when every pending job has failed or succeeded).
-- KEYS[1] = working, KEYS[2] = processed, KEYS[3] = failures, KEYS[4] = processed:<date>,
-- KEYS[5] = failures:<date>, KEYS[6] = track hash or '', KEYS[7] = target set or ''
-- ARGV[1] = reservation member, ARGV[2] = score in the target set, ARGV[3] = job JSON with failure,
-- ARGV[4] = jid, ARGV[5] = now, ARGV[6] = track state ('failed' or 'dead'), ARGV[7] = track TTL,
-- ARGV[8] = bid the job belongs to or ''
-- Returns {1 if it was reserved else 0, queues that received a callback job...}.
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then
  return {0}
end
for i = 2, 5 do
  redis.call('INCR', KEYS[i])
end
if KEYS[7] ~= '' then
  redis.call('ZADD', KEYS[7], ARGV[2], ARGV[3])
end
track(KEYS[6], ARGV[6], ARGV[5], ARGV[7])
local queues = {1}
if ARGV[8] ~= '' then
  member_done(ARGV[8], ARGV[4], false, ARGV[5], queues)
end
return queues
