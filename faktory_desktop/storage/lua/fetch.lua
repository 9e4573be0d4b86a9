-- Fetch-and-reserve in one step, so a crash can never lose a popped job (Faktory's BRPOP-then-ZADD
-- window). Pops the first non-empty queue in priority order and records the reservation in the
-- working set, scored by its expiry.
-- KEYS[1] = working set, KEYS[2..] = queue lists in priority order
-- ARGV[1] = now (epoch seconds, integer part), ARGV[2] = now's fraction as in RFC3339Nano ("" or
-- ".123"; also the fraction of the score), ARGV[3] = wid as a JSON string,
-- ARGV[4] = now as RFC3339Nano, ARGV[5] = now + 1800 s (the default reservation) as RFC3339Nano
-- Returns {job, reservation member} or nil.
-- The job stays opaque: its reserve_for is read from the tail of the canonical JSON, where the
-- server's normalization puts it (only backtrace may follow), so no JSON is parsed here.
-- Timestamps come formatted from the server (it caches them per second); formatting one here
-- costs the engine about 3 us, so only a job with its own reserve_for has its expiry formatted.

local function civil(days)
  -- Howard Hinnant's civil_from_days: days since 1970-01-01 -> year, month, day
  local z = days + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524)
    - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local d = doy - math.floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400 + (m <= 2 and 1 or 0)
  return y, m, d
end

local function timestamp(secs, frac)
  local days = math.floor(secs / 86400)
  local rem = secs - days * 86400
  local y, m, d = civil(days)
  return string.format('%04d-%02d-%02dT%02d:%02d:%02d%sZ', y, m, d,
    math.floor(rem / 3600), math.floor(rem % 3600 / 60), rem % 60, frac)
end

local function reserve_for(job)
  local tail = string.sub(job, -64)
  if not string.find(tail, '"reserve_for":', 1, true) then
    return 1800  -- the usual case, found without the two pattern scans below
  end
  local n = string.match(tail, ',"reserve_for":(%-?%d+)}$')
    or string.match(tail, ',"reserve_for":(%-?%d+),"backtrace":%-?%d+}$')
  n = tonumber(n) or 0
  if n == 0 then return 1800 end
  if n < 60 then return 60 end
  if n > 86400 then return 86400 end
  return n
end

for i = 2, #KEYS do
  local job = redis.call('RPOP', KEYS[i])
  if job then
    local now = tonumber(ARGV[1])
    local seconds = reserve_for(job)
    local expires = now + seconds
    local expires_at = seconds == 1800 and ARGV[5] or timestamp(expires, ARGV[2])
    local member = '{"job":' .. job .. ',"reserved_at":"' .. ARGV[4]
      .. '","expires_at":"' .. expires_at .. '","wid":' .. ARGV[3] .. '}'
    redis.call('ZADD', KEYS[1], expires .. ARGV[2], member)
    return {job, member}
  end
end
return nil
