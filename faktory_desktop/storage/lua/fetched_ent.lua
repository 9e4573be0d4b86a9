-- After fetch.lua reserved a job with Enterprise fields: either drop it, expired (it is never
-- run, counts neither as processed nor as failed, and counts as failed in its batch), or start it:
-- release a unique lock held until start, and record the job as working for tracking.
-- KEYS[1] = working, KEYS[2] = the expired counter, KEYS[3] = unique lock or '',
-- KEYS[4] = track hash or ''
-- ARGV[1] = reservation member, ARGV[2] = jid, ARGV[3] = now (RFC 3339), ARGV[4] = '1' if expired,
-- ARGV[5] = track TTL (s), ARGV[6] = bid the job belongs to or ''
-- Returns the queues that received a callback job.
local queues = {}
if ARGV[4] == '1' then
  if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
    redis.call('INCR', KEYS[2])
    if ARGV[6] ~= '' then
      member_done(ARGV[6], ARGV[2], false, ARGV[3], queues)
    end
  end
  return queues
end
release_lock(KEYS[3], ARGV[2])
track(KEYS[4], 'working', ARGV[3], ARGV[5])
return queues
