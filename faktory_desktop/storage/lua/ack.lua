-- Acknowledge: drop the reservation and count the job as processed, only if it was still reserved.
-- KEYS[1] = working set, KEYS[2] = processed, KEYS[3] = processed:<date>; ARGV[1] = member
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
  redis.call('INCR', KEYS[2])
  redis.call('INCR', KEYS[3])
  return 1
end
return 0
