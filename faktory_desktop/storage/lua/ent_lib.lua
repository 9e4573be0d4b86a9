-- Shared by the Enterprise scripts (prepended to each by storage/enterprise.py): the unique lock,
-- the tracking record, and batch accounting.

local function release_lock(key, jid)
  -- free a unique lock, only if this job still holds it (it may have expired and been retaken)
  if key ~= '' and redis.call('GET', key) == jid then
    redis.call('DEL', key)
  end
end

local function track(key, state, now, ttl)
  if key ~= '' then
    redis.call('HSET', key, 'state', state, 'updated_at', now)
    redis.call('EXPIRE', key, ttl)
  end
end

-- A batch is the HASH `batch:<bid>` (keys.batch) with the SET `batch:<bid>:failed` beside it.
-- Its model (docs/storage.md): `pending` counts jobs not yet ACKed, `failed` the jids among them
-- whose latest run failed. `complete` fires once the batch is committed, pending == failed and
-- every child batch has finished its complete stage; `success` once it is committed,
-- pending == 0, every child has finished its success stage, and the complete stage is finished
-- (its callback ACKed, or there is none). A stage without a callback finishes at once.
-- A stage's finish is recorded once (`c_done`, `s_done`) and then counted down in the parent,
-- which is settled in turn: so two ACKs racing can neither fire a callback twice nor miss it.
local BATCH = 'batch:'
local QUEUES, QUEUE = 'queues', 'q:'
local LIVE_S = 7 * 24 * 3600  -- how long a batch lives after its commit or its last callback

local function keep(h)
  redis.call('EXPIRE', h, LIVE_S)
  redis.call('EXPIRE', h .. ':failed', LIVE_S)
  redis.call('EXPIRE', h .. ':jobs', LIVE_S)
end

local function fire(h, stage, now)
  -- push the stage's callback job, stored as the text before and after its enqueued_at value
  local cb = redis.call('HMGET', h, stage .. '_pre', stage .. '_suf', stage .. '_q')
  redis.call('SADD', QUEUES, cb[3])
  redis.call('LPUSH', QUEUE .. cb[3], cb[1] .. now .. cb[2])
  redis.call('HSET', h, stage .. '_st', '1')
  keep(h)
  return cb[3]
end

local function finish(h, stage, todo)
  -- a stage of this batch is over: count it down in the parent, and settle the parent
  local flag = stage == 'complete' and 'c_done' or 's_done'
  if redis.call('HSETNX', h, flag, '1') == 0 then return end
  local parent = redis.call('HGET', h, 'parent_bid')
  if parent and redis.call('EXISTS', BATCH .. parent) == 1 then
    redis.call('HINCRBY', BATCH .. parent, stage == 'complete' and 'kids_c' or 'kids_s', -1)
    todo[#todo + 1] = parent
  end
end

local function settle_one(bid, now, queues, todo)
  local h = BATCH .. bid
  local f = redis.call('HMGET', h, 'committed', 'pending', 'failed', 'kids_c', 'kids_s',
    'complete_st', 'success_st', 'c_done', 's_done', 'complete_q', 'success_q')
  if f[1] ~= '1' then return end
  local pending, failed = tonumber(f[2]) or 0, tonumber(f[3]) or 0
  if not f[8] and (f[6] or '') == '' and pending <= failed and (tonumber(f[4]) or 0) <= 0 then
    if f[10] then
      queues[#queues + 1] = fire(h, 'complete', now)
    else
      finish(h, 'complete', todo)
    end
  end
  local complete_over = redis.call('HGET', h, 'c_done') == '1'
  if complete_over and not f[9] and (f[7] or '') == '' and pending == 0
      and (tonumber(f[5]) or 0) <= 0 then
    if f[11] then
      queues[#queues + 1] = fire(h, 'success', now)
    else
      finish(h, 'success', todo)
    end
  end
end

local function settle(todo, now, queues)
  -- settle these batches, and each parent whose child finished a stage meanwhile
  while #todo > 0 do
    settle_one(table.remove(todo), now, queues, todo)
  end
end

local function member_done(bid, jid, ok, now, queues)
  -- a job of the batch ran: ACKed (ok) or failed (FAIL, death, reservation expiry, expiry)
  local h = BATCH .. bid
  if redis.call('EXISTS', h) == 0 then return end
  if ok then
    redis.call('HINCRBY', h, 'pending', -1)
    if redis.call('SREM', h .. ':failed', jid) == 1 then
      redis.call('HINCRBY', h, 'failed', -1)
    end
  elseif redis.call('SADD', h .. ':failed', jid) == 1 then
    redis.call('HINCRBY', h, 'failed', 1)
  end
  settle({bid}, now, queues)
end

local function callback_done(bid, jid, now, queues)
  -- a callback job of the batch was ACKed: its stage is over
  local h = BATCH .. bid
  local cb = redis.call('HMGET', h, 'complete_jid', 'success_jid')
  local stage = (cb[1] == jid and 'complete') or (cb[2] == jid and 'success') or nil
  if not stage or redis.call('HGET', h, stage .. '_st') ~= '1' then return end
  redis.call('HSET', h, stage .. '_st', '2')
  local todo = {bid}
  finish(h, stage, todo)
  settle(todo, now, queues)
end
