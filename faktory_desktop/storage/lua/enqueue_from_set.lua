-- Move entries of a sorted set onto their queues; each move happens only if the entry is still
-- there, so a job is never enqueued twice nor lost.
-- KEYS[1] = source set, KEYS[2] = the queues set, KEYS[2+i] = the list of entry i
-- ARGV[3i-2] = member, ARGV[3i-1] = queue name, ARGV[3i] = job JSON as it enters the queue
-- Returns the queue names that received a job, one per job moved.
local moved = {}
for i = 1, #KEYS - 2 do
  local member, queue, job = ARGV[3 * i - 2], ARGV[3 * i - 1], ARGV[3 * i]
  if redis.call('ZREM', KEYS[1], member) == 1 then
    redis.call('SADD', KEYS[2], queue)
    redis.call('LPUSH', KEYS[2 + i], job)
    moved[#moved + 1] = queue
  end
end
return moved
