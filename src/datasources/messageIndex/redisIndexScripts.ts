/**
 * Lua run inside Redis so that a batch write is atomic (a crash never leaves a message half
 * indexed: an append checks everything first and writes at the end of one script) and a page read
 * is one round trip. All keys of a corp share one hash tag, so the keys a script derives from
 * KEYS[1] (the corp base) live in the same cluster slot. The layout is described on
 * `RedisMessageIndex`.
 *
 * Fixed-width numbers are big-endian; varints are LEB128 (see varint.ts). Lua numbers are doubles:
 * the arithmetic is exact up to 2^53 and no bit operations are used.
 *
 * Growing strings (the head record bucket, msgid-map buckets, list heads) are sized to fill an
 * allocation class exactly (`capFor`) and written in place with SETRANGE, so an append neither
 * reallocates nor rewrites them (and replicates/AOF-logs only the bytes it adds); they are SET
 * whole only when they outgrow their class.
 */

/** Entries of a list chunk. */
const LIST_CHUNK = 256;
/** msgid-map entries per bucket before a split (8 bytes each). */
const MAP_LOAD = 128;
/** Record bucket size: a 16 KiB allocation less the sds header (5) and terminator (1). */
const RECORD_BUCKET = 16_384 - 6;

const NUM = `
local base = KEYS[1]
local floor, byte, char, sub, find, concat = math.floor, string.byte, string.char, string.sub, string.find, table.concat

local function u16(s, i) local a, b = byte(s, i, i + 1) return a * 256 + b end
local function u32(s, i) local a, b, c, d = byte(s, i, i + 3) return ((a * 256 + b) * 256 + c) * 256 + d end
local function u48(s, i) return u16(s, i) * 4294967296 + u32(s, i + 2) end
local function rvar(s, i)
  local x, m = 0, 1
  while true do
    local b = byte(s, i)
    i = i + 1
    if b < 128 then return x + b * m, i end
    x = x + (b - 128) * m
    m = m * 128
  end
end
local function str(x) return string.format('%.0f', x) end

-- The seq counter (shared with the first layout, see RedisMessageIndex) and the meta string,
-- read together. Meta: u48 each of f g rb rl r0 r1 L P e dn.
local META = { 'f', 'g', 'rb', 'rl', 'r0', 'r1', 'L', 'P', 'e', 'dn' }
local n, M
do
  local v = redis.call('MGET', base .. 'n', base .. '2m')
  n = tonumber(v[1] or '0')
  if v[2] then
    local b = { byte(v[2], 1, 60) }
    M = {}
    for k = 1, 10 do
      local i = k * 6 - 5
      M[META[k]] = ((((b[i] * 256 + b[i + 1]) * 256 + b[i + 2]) * 256 + b[i + 3]) * 256 + b[i + 4]) * 256 + b[i + 5]
    end
  end
end
`;

/** Writers (and the fingerprint bytes the map compares). */
const PACK = `
local function p16(x) return char(floor(x / 256), x % 256) end
local function p32(x)
  return char(floor(x / 16777216) % 256, floor(x / 65536) % 256, floor(x / 256) % 256, x % 256)
end
local function p48(x) return p16(floor(x / 4294967296)) .. p32(x % 4294967296) end
local function pvar(x)
  local t = {}
  while x >= 128 do t[#t + 1] = char(x % 128 + 128) x = floor(x / 128) end
  t[#t + 1] = char(x)
  return concat(t)
end
local function metaString()
  local t = {}
  for k, name in ipairs(META) do t[k] = p48(M[name]) end
  return concat(t)
end
`;

const RECORDS = `
-- Record bucket: a string of CAP bytes (a 16 KiB allocation minus the sds header and
-- terminator). Header HEAD = first seq u48, base send time u48 (+2^47), count u16, lowest record
-- start u16, size u16; then one u16 start offset per record, growing up, while records grow down
-- from the end (so the size stands where the start of record -1 would).
local CAP, HEAD, TIME0 = ${RECORD_BUCKET}, 18, 140737488355328
local function unzz(x) if x % 2 == 0 then return x / 2 end return -(x + 1) / 2 end
local hdrs, hint = {}, nil
local function rkey(b) return base .. '2r' .. b end
-- The header, read with the first 80 offsets (peek): usually all of them.
local function header(b)
  local h = hdrs[b]
  if h == nil then
    local s = redis.call('GETRANGE', rkey(b), 0, HEAD + 159)
    if #s < HEAD then h = false
    else
      h = { first = u48(s, 1), time = u48(s, 7) - TIME0, count = u16(s, 13), low = u16(s, 15),
        size = u16(s, 17), peek = s }
    end
    hdrs[b] = h
  end
  return h
end
-- The bucket holding seq (M.r0 <= seq <= n). Buckets hold nearly the same number of records,
-- so interpolating between the first seqs of rl and rb (kept in the meta) usually lands on
-- it at once.
local function bucketOf(seq)
  if seq < M.r0 then return nil end
  if hint then
    local h = header(hint)
    if h and h.first <= seq and seq < h.first + h.count then return hint end
  end
  local lo, hi, flo, fhi = M.rl, M.rb, M.r0, M.r1
  if seq >= fhi then hint = hi return hi end
  local steps = 0
  -- Invariant: first(lo) = flo <= seq < fhi = first(hi).
  while lo < hi do
    steps = steps + 1
    local g
    if steps <= 4 then g = lo + floor((seq - flo) * (hi - lo) / (fhi - flo)) else g = floor((lo + hi) / 2) end
    if g >= hi then g = hi - 1 end
    local h = header(g)
    if not h then return nil end
    if seq < h.first then hi, fhi = g, h.first
    elseif seq >= h.first + h.count then lo, flo = g + 1, h.first + h.count
    else hint = g return g end
  end
  return nil
end
-- Calls visit(seq, s, i, j, header) for the record of each seq (ascending or descending, all
-- <= n), in order: the record is s:sub(i, j). Per bucket, the offsets of the run of seqs in it
-- (from the header's peek, or one GETRANGE), then one GETRANGE for the records between them (or
-- one each when they are sparse).
local function fetch(seqs, visit)
  local k = 1
  while k <= #seqs do
    local b = bucketOf(seqs[k])
    local h = b and header(b)
    if not h or seqs[k] - h.first >= h.count then k = k + 1
    else
      local jlo, jhi, last = seqs[k] - h.first, seqs[k] - h.first, k
      while last < #seqs do
        local j = seqs[last + 1] - h.first
        if j < 0 or j >= h.count then break end
        if j < jlo then jlo = j end
        if j > jhi then jhi = j end
        last = last + 1
      end
      local key, offs = rkey(b), nil
      if HEAD + 2 * jhi + 2 <= #h.peek then offs = sub(h.peek, HEAD + 2 * jlo - 1, HEAD + 2 * jhi + 2)
      else offs = redis.call('GETRANGE', key, HEAD + 2 * jlo - 2, HEAD + 2 * jhi + 1) end
      if jhi - jlo < 2 * (last - k + 1) then
        local low = u16(offs, (jhi - jlo) * 2 + 3)
        local blob = redis.call('GETRANGE', key, low, u16(offs, 1) - 1)
        for q = k, last do
          local j = seqs[q] - h.first
          visit(seqs[q], blob, u16(offs, (j - jlo) * 2 + 3) - low + 1, u16(offs, (j - jlo) * 2 + 1) - low, h)
        end
      else
        for q = k, last do
          local j = seqs[q] - h.first
          local r = redis.call('GETRANGE', key, u16(offs, (j - jlo) * 2 + 3), u16(offs, (j - jlo) * 2 + 1) - 1)
          visit(seqs[q], r, 1, #r, h)
        end
      end
      k = last + 1
    end
  end
end
-- A record starts with zigzag(send time - bucket base time) and the parties reference.
local function parse(rec, at, h)
  local z, i = rvar(rec, at)
  local ref
  ref, i = rvar(rec, i)
  return h.time + unzz(z), ref, i
end
`;

const TIME = `
-- First live seq sent at or after t (n + 1 when none): archive order follows send time, as
-- sync_msg pages are ascending. Bisects the buckets by base time, then the one bucket.
local function seqAtTime(t)
  if M.f > n then return n + 1 end
  local lo, hi, cand = bucketOf(M.f), M.rb, nil
  if not lo then return n + 1 end
  while lo <= hi do
    local mid = floor((lo + hi) / 2)
    local h = header(mid)
    if h and h.time < t then cand = mid lo = mid + 1 else hi = mid - 1 end
  end
  if not cand then return M.f end
  local h, body = header(cand), redis.call('GET', rkey(cand))
  local a, b = math.max(0, M.f - h.first), h.count
  while a < b do
    local mid = floor((a + b) / 2)
    if h.time + unzz((rvar(body, u16(body, HEAD + 2 * mid + 1) + 1))) < t then a = mid + 1 else b = mid end
  end
  return math.min(h.first + a, n + 1)
end
`;

const MAP = `
-- msgid map: linear hashing over buckets '2h<i>' = entries (fingerprint u32, seq u32), then zero
-- padding (a seq is never 0, so the first all-zero slot ends the entries). A bucket splits when
-- the map holds more than LOAD entries per bucket.
local LOAD = ${MAP_LOAD}
local maps = {}
local function hkey(a) return base .. '2h' .. a end
local function mapGet(a)
  local s = maps[a]
  if s == nil then s = redis.call('GET', hkey(a)) or '' maps[a] = s end
  return s
end
local function fpOf(p) return tonumber(sub(redis.sha1hex(p), 1, 8), 16) end
local function addrOf(fp)
  local m = 2 ^ M.L
  local a = fp % m
  if a < M.P then a = fp % (m * 2) end
  return a
end
-- The live message whose packed msgid is p: seq, then its record as fetch passes it (string,
-- from, to, bucket header); nil when none. A fingerprint match is confirmed against the msgid
-- stored in the record.
local function lookup(p, fp)
  local s, fp4, i = mapGet(addrOf(fp)), p32(fp), 1
  while true do
    -- A match in the padding reads seq 0, below every floor.
    local j = find(s, fp4, i, true)
    if not j then return nil end
    if (j - 1) % 8 == 0 then
      local seq = u32(s, j + 4)
      if seq >= M.f and seq <= n then
        local rec, from, to, rh
        fetch({ seq }, function(_, s, a, b, h) rec, from, to, rh = s, a, b, h end)
        if rec then
          local _, _, at = parse(rec, from, rh)
          if sub(rec, at, at + #p - 1) == p then return seq, rec, from, to, rh end
        end
      end
      i = j + 8
    else i = j + 1 end
  end
end
`;

const LISTS = `
-- List chunk: header LH = chunk number u32, first seq u48, count u16, used bytes u16, last seq
-- u48, capacity u16; then varint seq deltas (never a zero byte), then zero padding. A chunk holds
-- K entries, then the next one starts; the head chunk '2l<list>' is the only one that grows.
local K, LH = ${LIST_CHUNK}, 22
local function lkey(name) return base .. '2l' .. name end
local function akey(name, c) return base .. '2a' .. c .. ':' .. name end
local function openList(name)
  local h = redis.call('GETRANGE', lkey(name), 0, LH - 1)
  if #h < LH then return nil end
  local c = u32(h, 1)
  return { name = name, head = c, metas = { [c] = { first = u48(h, 5), count = u16(h, 11), last = u48(h, 15) } },
    seqs = {} }
end
local function chunkKey(L, c)
  if c == L.head then return lkey(L.name) end
  return akey(L.name, c)
end
-- { first, count, last } of chunk c, false when it was trimmed.
local function chunkMeta(L, c)
  local m = L.metas[c]
  if m == nil then
    local r = redis.call('GETRANGE', chunkKey(L, c), 4, 19)
    if #r == 16 then m = { first = u48(r, 1), count = u16(r, 7), last = u48(r, 11) } else m = false end
    L.metas[c] = m
  end
  return m
end
-- The seqs of chunk c, false when it was trimmed.
local function chunkSeqs(L, c)
  local e = L.seqs[c]
  if e == nil then
    local s = redis.call('GET', chunkKey(L, c))
    e = false
    if s then
      local v = u48(s, 5)
      local k, x, m = 1, 0, 1
      e = { v }
      local used = u16(s, 13)
      if used > LH then
        local bs = { byte(s, LH + 1, used) }
        for q = 1, #bs do
          local b = bs[q]
          if b < 128 then
            v = v + x + b * m
            k = k + 1
            e[k] = v
            x, m = 0, 1
          else
            x = x + (b - 128) * m
            m = m * 128
          end
        end
      end
    end
    L.seqs[c] = e
  end
  return e
end
-- The last chunk starting at or before x (trimmed chunks, all below the floor, count as before
-- it); -1 when none.
local function chunkAt(L, x)
  local lo, hi, found = 0, L.head, -1
  while lo <= hi do
    local mid = floor((lo + hi) / 2)
    local m = chunkMeta(L, mid)
    if not m or m.first <= x then found = mid lo = mid + 1 else hi = mid - 1 end
  end
  return found
end
-- Entries ever appended to the list before the first one >= x (every chunk but the head holds K).
local function below(L, x)
  local c = chunkAt(L, x)
  if c < 0 then return 0 end
  local m = chunkMeta(L, c)
  if not m then return (c + 1) * K end
  if x <= m.first then return c * K end
  if x > m.last then return c * K + m.count end
  local e = chunkSeqs(L, c)
  local lo, hi = 1, #e + 1
  while lo < hi do
    local mid = floor((lo + hi) / 2)
    if e[mid] < x then lo = mid + 1 else hi = mid end
  end
  return c * K + lo - 1
end
-- Up to limit of the list's seqs in [a, b], in order.
local function walk(L, a, b, rev, limit)
  local got = {}
  if rev then
    local c = chunkAt(L, b)
    while c >= 0 do
      local e = chunkSeqs(L, c)
      if not e then return got end
      for k = #e, 1, -1 do
        local v = e[k]
        if v < a or #got >= limit then return got end
        if v <= b then got[#got + 1] = v end
      end
      c = c - 1
    end
  else
    local c = chunkAt(L, a)
    if c < 0 then c = 0 end
    while c <= L.head do
      local m = chunkMeta(L, c)
      if m and m.last >= a then
        local e = chunkSeqs(L, c)
        for k = 1, #e do
          local v = e[k]
          if v > b or #got >= limit then return got end
          if v >= a then got[#got + 1] = v end
        end
      end
      c = c + 1
    end
  end
  return got
end
`;

const REPLY = `
-- Items are (seq, send time, parties ref, payload); the parties of every ref used follow them.
local out, refs, reflist = {}, {}, {}
local found = 0
local function emit(seq, rec, from, to, h)
  local t, ref, i = parse(rec, from, h)
  local o = #out
  out[o + 1], out[o + 2], out[o + 3], out[o + 4] = seq, t, ref, sub(rec, i, to)
  if not refs[ref] then refs[ref] = true reflist[#reflist + 1] = ref end
  found = found + 1
end
local function withParties()
  if #reflist > 0 then
    local values = redis.call('HMGET', base .. '2d', unpack(reflist))
    for k = 1, #reflist do
      out[#out + 1] = reflist[k]
      out[#out + 1] = values[k] or ''
    end
  end
  return out
end
`;

const MAP_COUNT = `
local ZERO8 = string.rep('\\0', 8)
local function mapCount(s)
  local i = 1
  while true do
    local j = find(s, ZERO8, i, true)
    if not j then return floor(#s / 8) end
    if (j - 1) % 8 == 0 then return (j - 1) / 8 end
    i = j + 1
  end
end
`;

/** Smallest string length ≥ len that fills an allocation class (jemalloc small classes, sds header). */
const CAP_FOR = `
local CLASSES = { 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512, 640, 768, 896, 1024,
  1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096, 5120, 6144, 7168, 8192, 10240, 12288, 14336, 16384 }
local function capFor(len)
  for _, c in ipairs(CLASSES) do
    local room = c - 4
    if room >= 256 then room = c - 6 end
    if room >= len then return room end
  end
  return len
end
local function padded(bytes)
  return bytes .. string.rep('\\0', capFor(#bytes) - #bytes)
end
`;

/**
 * ARGV = (packed msgid, send time, parties, payload, nLists, list…)*. Skips msgids already
 * indexed (or repeated in the batch); returns [message index (0-based), seq]* of the new ones.
 */
export const APPEND_LUA = `${NUM}${PACK}${RECORDS}${MAP}${MAP_COUNT}${CAP_FOR}
local created = false
if not M then
  -- First write in this layout: seqs continue the counter, so none is ever handed out twice.
  M = { f = n + 1, g = n + 1, rb = 0, rl = 0, r0 = n + 1, r1 = n + 1, L = 0, P = 0, e = 0, dn = 0 }
  created = true
end
local function zz(x) if x >= 0 then return x * 2 end return -x * 2 - 1 end
local writes = {}
local function write(...) writes[#writes + 1] = { ... } end

-- The head record bucket: filled in place (SETRANGE); a new one is SET whole.
local hb = nil
-- New buckets enter the meta hash only at the end: until then lookups (of seqs <= n) search the
-- buckets that existed when the script started.
local grown = {}
do
  local h = not created and header(M.rb)
  if h then
    hb = { b = M.rb, first = h.first, time = h.time, count = h.count, size = h.size, low = h.low,
      old = h.count, offs = {}, recs = {}, fresh = false }
  end
end
local function flushHead()
  if not hb or (#hb.recs == 0 and not hb.fresh) then return end
  local key, rev = rkey(hb.b), {}
  for k = #hb.recs, 1, -1 do rev[#rev + 1] = hb.recs[k] end
  local block, offs = concat(rev), concat(hb.offs)
  if hb.fresh then
    write('SET', key, p48(hb.first) .. p48(hb.time + TIME0) .. p16(hb.count) .. p16(hb.low) .. p16(hb.size)
      .. offs .. string.rep('\\0', hb.low - HEAD - #offs) .. block)
  else
    write('SETRANGE', key, 12, p16(hb.count) .. p16(hb.low))
    write('SETRANGE', key, HEAD + 2 * hb.old, offs)
    write('SETRANGE', key, hb.low, block)
  end
end
local function place(rec)
  hb.low = hb.low - #rec
  hb.offs[#hb.offs + 1] = p16(hb.low)
  hb.recs[#hb.recs + 1] = rec
  hb.count = hb.count + 1
end
local function addRecord(seq, sendTime, ref, payload)
  if hb then
    local rec = pvar(zz(sendTime - hb.time)) .. pvar(ref) .. payload
    if hb.low - #rec >= HEAD + 2 * (hb.count + 1) then place(rec) return end
  end
  local rec = pvar(0) .. pvar(ref) .. payload
  local size = CAP
  -- An oversized record gets a bucket of its own.
  if HEAD + 2 + #rec > CAP then size = HEAD + 2 + #rec end
  if size > 65535 then error('message index: record of ' .. #rec .. ' bytes is too large') end
  local b = M.rb
  if hb then
    flushHead()
    b = hb.b + 1
  else
    grown.rl, grown.r0 = b, seq
  end
  grown.rb, grown.r1 = b, seq
  hb = { b = b, first = seq, time = sendTime, count = 0, size = size, low = size, old = 0,
    offs = {}, recs = {}, fresh = true }
  place(rec)
end

-- Parties dictionary: forward sha1(parties) -> ref, reverse ref -> parties.
local refCache = {}
local function refOf(parties)
  local r = refCache[parties]
  if r then return r end
  -- Keyed by the full sha1 (a collision between two parties strings is not a practical concern).
  local h = redis.sha1hex(parties)
  local known = redis.call('HGET', base .. '2f', h)
  if known then r = tonumber(known)
  else
    M.dn = M.dn + 1
    r = M.dn
    write('HSET', base .. '2d', str(r), parties)
    write('HSET', base .. '2f', h, str(r))
  end
  refCache[parties] = r
  return r
end

-- msgid-map changes: per touched bucket the entries to append, or its new content after a split.
local touched = {}
local function mapTouch(a)
  local t = touched[a]
  if not t then
    local s = mapGet(a)
    t = { s = s, count = mapCount(s), add = {} }
    touched[a] = t
  end
  return t
end

-- List heads: filled in place; a full head is archived under its chunk number.
local K, LH = ${LIST_CHUNK}, 22
local lists = {}
local function chunkBytes(L, cap)
  local body = ''
  if L.loaded then body = sub(redis.call('GET', base .. '2l' .. L.name), LH + 1, L.old) end
  return p32(L.c) .. p48(L.first) .. p16(L.count) .. p16(L.used) .. p48(L.last) .. p16(cap) .. body
    .. concat(L.add)
end
local function listAdd(name, seq)
  local L = lists[name]
  if not L then
    local h = redis.call('GETRANGE', base .. '2l' .. name, 0, LH - 1)
    if #h == LH then
      local used = u16(h, 13)
      L = { name = name, c = u32(h, 1), first = u48(h, 5), count = u16(h, 11), used = used, old = used,
        last = u48(h, 15), cap = u16(h, 21), add = {}, loaded = true }
    else L = { name = name, c = 0, count = 0, used = LH, old = LH, add = {} } end
    lists[name] = L
  end
  if L.count == K then
    write('SET', base .. '2a' .. L.c .. ':' .. name, chunkBytes(L, L.used))
    L = { name = name, c = L.c + 1, count = 0, used = LH, old = LH, add = {} }
    lists[name] = L
  end
  if L.count == 0 then L.first = seq
  else
    local d = pvar(seq - L.last)
    L.add[#L.add + 1] = d
    L.used = L.used + #d
  end
  L.last = seq
  L.count = L.count + 1
end

local result, seen, seq, i, index = {}, {}, n, 1, 0
while i <= #ARGV do
  local p, nl = ARGV[i], tonumber(ARGV[i + 4])
  if not seen[p] then
    seen[p] = true
    local fp = fpOf(p)
    if not lookup(p, fp) then
      seq = seq + 1
      if seq >= 4294967296 then error('message index: seq out of range') end
      addRecord(seq, tonumber(ARGV[i + 1]), refOf(ARGV[i + 2]), ARGV[i + 3])
      local t = mapTouch(addrOf(fp))
      t.add[#t.add + 1] = p32(fp) .. p32(seq)
      M.e = M.e + 1
      for k = 1, nl do listAdd(ARGV[i + 4 + k], seq) end
      result[#result + 1] = index
      result[#result + 1] = seq
    end
  end
  i = i + 5 + nl
  index = index + 1
end
if #result == 0 then return result end

-- Split map buckets while the map is over its load (dropping trimmed entries on the way).
while M.e > LOAD * (2 ^ M.L + M.P) do
  local a, bit = M.P, 2 ^ M.L
  local t = mapTouch(a)
  local s = t.content or (sub(t.s, 1, 8 * t.count) .. concat(t.add))
  local keep, move = {}, {}
  for j = 1, #s, 8 do
    local entry = sub(s, j, j + 7)
    if u32(entry, 5) < M.f then M.e = M.e - 1
    elseif floor(u32(entry, 1) / bit) % 2 == 1 then move[#move + 1] = entry
    else keep[#keep + 1] = entry end
  end
  t.content = concat(keep)
  touched[a + bit] = { s = '', count = 0, add = {}, content = concat(move) }
  M.P = M.P + 1
  if M.P == bit then M.L, M.P = M.L + 1, 0 end
end

-- Every write happens here, after all the checks above.
flushHead()
for _, w in ipairs(writes) do redis.call(unpack(w)) end
for a, t in pairs(touched) do
  local key = hkey(a)
  if t.content then
    if t.content == '' then redis.call('DEL', key)
    else redis.call('SET', key, padded(t.content)) end
  elseif #t.add > 0 then
    local add = concat(t.add)
    if 8 * t.count + #add <= #t.s then redis.call('SETRANGE', key, 8 * t.count, add)
    else redis.call('SET', key, padded(sub(t.s, 1, 8 * t.count) .. add)) end
  end
end
for name, L in pairs(lists) do
  local key = base .. '2l' .. name
  if L.loaded and L.used <= L.cap then
    if #L.add > 0 then redis.call('SETRANGE', key, L.old, concat(L.add)) end
    redis.call('SETRANGE', key, 10, p16(L.count) .. p16(L.used) .. p48(L.last))
  else
    local cap = capFor(L.used)
    redis.call('SET', key, padded(chunkBytes(L, cap)))
  end
end
for k, v in pairs(grown) do M[k] = v end
redis.call('MSET', base .. 'n', str(seq), base .. '2m', metaString())
return result
`;

/**
 * ARGV = [list ('' = every message), min seq, max seq ('' = none), from ('' = none), to, count,
 * reverse]. Returns [low, high, nItems, (seq, send time, ref, payload)*nItems, (ref, parties)*]:
 * low..high are the seq bounds the floor, the counter and the time window allow.
 */
export const PAGE_LUA = `${NUM}${RECORDS}${TIME}${LISTS}${REPLY}
if not M then return { 0, -1, 0 } end
local list, limit, rev = ARGV[1], tonumber(ARGV[6]), ARGV[7] == '1'
local a, b = math.max(tonumber(ARGV[2]), M.f), n
if ARGV[3] ~= '' then b = math.min(b, tonumber(ARGV[3])) end
if a <= b and ARGV[4] ~= '' then a = math.max(a, seqAtTime(tonumber(ARGV[4]))) end
if a <= b and ARGV[5] ~= '' then b = math.min(b, seqAtTime(tonumber(ARGV[5])) - 1) end
out = { a, b, 0 }
local seqs = {}
if a <= b then
  if list == '' then
    -- Every seq from the floor to the counter is live.
    if rev then
      for s = b, math.max(a, b - limit + 1), -1 do seqs[#seqs + 1] = s end
    else
      for s = a, math.min(b, a + limit - 1) do seqs[#seqs + 1] = s end
    end
  else
    local L = openList(list)
    if L then seqs = walk(L, a, b, rev, limit) end
  end
end
fetch(seqs, emit)
out[3] = found
return withParties()
`;

/**
 * ARGV = [from seq, to seq]: every record still stored in that range, floor or not (for trim).
 * Returns [nItems, (seq, send time, ref, payload)*, (ref, parties)*].
 */
export const RANGE_LUA = `${NUM}${RECORDS}${REPLY}
if not M then return { 0 } end
out = { 0 }
local seqs = {}
for s = math.max(tonumber(ARGV[1]), M.r0), math.min(tonumber(ARGV[2]), n) do seqs[#seqs + 1] = s end
fetch(seqs, emit)
out[1] = found
return withParties()
`;

/** ARGV = packed msgids. Returns [nFound, (argument index, seq, send time, ref, payload)*, (ref, parties)*]. */
export const GET_LUA = `${NUM}${PACK}${RECORDS}${MAP}${REPLY}
if not M then return { 0 } end
out = { 0 }
for k = 1, #ARGV do
  local p = ARGV[k]
  local seq, rec, from, to, h = lookup(p, fpOf(p))
  if seq then
    out[#out + 1] = k - 1
    emit(seq, rec, from, to, h)
  end
end
out[1] = found
return withParties()
`;

/** ARGV = [list ('' = every message), from ('' = none), to ('' = none)]. Returns the count. */
export const COUNT_LUA = `${NUM}${RECORDS}${TIME}${LISTS}
if not M then return 0 end
local a, b = M.f, n
if a <= b and ARGV[2] ~= '' then a = math.max(a, seqAtTime(tonumber(ARGV[2]))) end
if a <= b and ARGV[3] ~= '' then b = math.min(b, seqAtTime(tonumber(ARGV[3])) - 1) end
if a > b then return 0 end
if ARGV[1] == '' then return b - a + 1 end
local L = openList(ARGV[1])
if not L then return 0 end
return below(L, b + 1) - below(L, a)
`;

/**
 * ARGV = [before send time]. Raises the floor to the first message sent at or after it; every
 * read ignores what is below the floor from then on. Returns [removed, freed up to, floor].
 */
export const TRIM_FLOOR_LUA = `${NUM}${PACK}${RECORDS}${TIME}
if not M then return { 0, 0, 0 } end
local k = seqAtTime(tonumber(ARGV[1]))
local removed = 0
if k > M.f then
  removed = k - M.f
  M.f = k
  redis.call('SET', base .. '2m', metaString())
end
return { removed, M.g, M.f }
`;

/**
 * ARGV = [up to seq, nLists, list…, packed msgid…]: frees what trimmed messages below `up to`
 * used — their msgid-map entries (each bucket named by a msgid loses every entry below the
 * floor), the list chunks wholly below the floor, the record buckets wholly below `up to`.
 */
export const TRIM_DROP_LUA = `${NUM}${PACK}${RECORDS}${MAP}${MAP_COUNT}${LISTS}${CAP_FOR}
if not M then return 0 end
local upTo, nl = tonumber(ARGV[1]), tonumber(ARGV[2])
local done = {}
for k = 3 + nl, #ARGV do
  local a = addrOf(fpOf(ARGV[k]))
  if not done[a] then
    done[a] = true
    local s = mapGet(a)
    local count, keep = mapCount(s), {}
    for j = 1, 8 * count, 8 do
      local entry = sub(s, j, j + 7)
      if u32(entry, 5) >= M.f then keep[#keep + 1] = entry else M.e = M.e - 1 end
    end
    if #keep < count then
      if #keep == 0 then redis.call('DEL', hkey(a))
      else redis.call('SET', hkey(a), padded(concat(keep))) end
    end
  end
end
for k = 3, 2 + nl do
  local name = ARGV[k]
  local L = openList(name)
  if L then
    local top
    if L.metas[L.head].last < M.f then
      redis.call('DEL', lkey(name))
      top = L.head - 1
    else
      top = chunkAt(L, M.f) - 1
    end
    for c = top, 0, -1 do
      if redis.call('DEL', akey(name, c)) == 0 then break end
    end
  end
end
while M.rl < M.rb do
  local h = header(M.rl + 1)
  if h and h.first <= upTo then
    redis.call('DEL', rkey(M.rl))
    M.rl, M.r0 = M.rl + 1, h.first
  else break end
end
if upTo > M.g then M.g = upTo end
redis.call('SET', base .. '2m', metaString())
return 1
`;
