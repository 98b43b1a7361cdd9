/**
 * Lua run inside Redis so that a batch write is atomic (a crash never leaves a message half
 * indexed) and a page read is one round trip. All keys of a corp share one hash tag, so the
 * keys a script derives from KEYS[1] live in the same cluster slot.
 */

/** KEYS[1] = corp base. ARGV = (msgid, record, nLists, list…)*. Returns [msgid, seq]* of new ones. */
export const APPEND_LUA = `
local base = KEYS[1]
local out = {}
local i = 1
while i <= #ARGV do
  local id = ARGV[i]
  local nlists = tonumber(ARGV[i + 2])
  if redis.call('HSETNX', base .. 'rec', id, ARGV[i + 1]) == 1 then
    local seq = redis.call('INCR', base .. 'n')
    for k = 1, nlists do redis.call('ZADD', base .. ARGV[i + 2 + k], seq, id) end
    out[#out + 1] = id
    out[#out + 1] = seq
  end
  i = i + 3 + nlists
end
return out
`;

/** KEYS = [list, rec]. ARGV = [min, max, count, reverse]. Returns [msgid, seq, record|nil]*. */
export const PAGE_LUA = `
local ids
if ARGV[4] == '1' then
  ids = redis.call('ZREVRANGEBYSCORE', KEYS[1], ARGV[2], ARGV[1], 'WITHSCORES', 'LIMIT', 0, ARGV[3])
else
  ids = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[2], 'WITHSCORES', 'LIMIT', 0, ARGV[3])
end
local out = {}
for j = 1, #ids, 2 do
  out[#out + 1] = ids[j]
  out[#out + 1] = ids[j + 1]
  out[#out + 1] = redis.call('HGET', KEYS[2], ids[j]) or false
end
return out
`;

/**
 * KEYS = [list, rec]. ARGV = [t]. Binary search over the list (archive order follows send time,
 * as sync_msg pages are ascending): the seq of the first entry sent at or after t, or -1.
 */
export const SEQ_AT_TIME_LUA = `
local n = redis.call('ZCARD', KEYS[1])
local t = tonumber(ARGV[1])
local lo, hi = 0, n
while lo < hi do
  local mid = math.floor((lo + hi) / 2)
  local id = redis.call('ZRANGE', KEYS[1], mid, mid)[1]
  local rec = redis.call('HGET', KEYS[2], id)
  local sent = rec and tonumber(string.match(rec, '^%[(%-?%d+)')) or -1
  if sent < t then lo = mid + 1 else hi = mid end
end
if lo >= n then return -1 end
return tonumber(redis.call('ZRANGE', KEYS[1], lo, lo, 'WITHSCORES')[2])
`;
