-- Replace one element of a list in place (a job edited inside its queue), keeping its position.
-- KEYS[1] = the list; ARGV[1] = old element, ARGV[2] = new element. Needs Redis >= 6.0.6 (LPOS).
local i = redis.call('LPOS', KEYS[1], ARGV[1])
if not i then return 0 end
redis.call('LSET', KEYS[1], i, ARGV[2])
return 1
