-- Acknowledge a job with Enterprise fields: as ack.lua, then release its unique lock (if it still
-- holds it), record success for tracking, and count it in its batch, firing callbacks that are due.
-- KEYS[1] = working, KEYS[2] = processed, KEYS[3] = processed:<date>, KEYS[4] = unique lock or '',
-- KEYS[5] = track hash or ''
-- ARGV[1] = reservation member, ARGV[2] = jid, ARGV[3] = now (RFC 3339), ARGV[4] = track TTL (s),
-- ARGV[5] = bid the job belongs to or '', ARGV[6] = bid the job is a callback of or ''
-- Returns {1 if it was reserved else 0, queues that received a callback job...}.
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then
  return {0}
end
redis.call('INCR', KEYS[2])
redis.call('INCR', KEYS[3])
release_lock(KEYS[4], ARGV[2])
track(KEYS[5], 'success', ARGV[3], ARGV[4])
local queues = {1}
if ARGV[5] ~= '' then
  member_done(ARGV[5], ARGV[2], true, ARGV[3], queues)
end
if ARGV[6] ~= '' then
  callback_done(ARGV[6], ARGV[2], ARGV[3], queues)
end
return queues
