-- wrk script for the mixed run of bench/bench_load.py: every wrk thread drives one connection,
-- and every connection is one student who reads the main pages and, between reads, logs an
-- interaction, moves a conversation and adds a contact, then reads the page each write
-- redirects to, as a browser would.
--
-- bench/load_mixed.py prepends the data: `students` (per connection: cookie, csrf, contacts,
-- conversations, all scheduled at the start), `read_pages`, `paths` (with %d for an id), `days`
-- (future dates), `yesterday`, `orgs`, `login`.
--
-- A write succeeds when it redirects (302/303) somewhere other than the sign-in page; a 200
-- means the form was refused and nothing was saved, so it counts as an error, as does any
-- read that is not 2xx. Errors are counted by what was asked and the status.

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

-- One round of a student: reads, with the three kinds of write between them.
local plan = {"read", "interaction", "read", "move", "read", "read", "contact", "read"}
-- A conversation's moves, a cycle that stays valid however often it turns:
-- scheduled -> (reschedule) scheduled -> (cancel) requested -> (schedule) scheduled.
local cycle = {"reschedule", "cancel", "schedule"}

local function urlencode(s)
  return (string.gsub(s, "[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

local function encode(fields)
  local parts = {}
  for _, pair in ipairs(fields) do
    parts[#parts + 1] = urlencode(pair[1]) .. "=" .. urlencode(pair[2])
  end
  return table.concat(parts, "&")
end

function init(args)
  me = students[((id - 1) % #students) + 1]
  host = wrk.headers["Host"]
  step, read_turn, contact_turn, conversation_turn, added, moved = 0, 0, 0, 0, 0, 0
  stage = {}
  for i = 1, #me.conversations do stage[i] = 1 end
  follow, pending = nil, nil
  errors = {}
  bad, last_bad = 0, 0
  reads, writes, follows = 0, 0, 0
end

local function get(path, kind)
  pending = {kind = kind}
  return wrk.format("GET", path, {["Host"] = host, ["Cookie"] = me.cookie})
end

local function post(path, fields, what, index)
  table.insert(fields, 1, {"csrfmiddlewaretoken", me.csrf})
  pending = {kind = "write", what = what, index = index}
  return wrk.format("POST", path, {
    ["Host"] = host,
    ["Cookie"] = me.cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, encode(fields))
end

-- A different future time for each move: the days in turn, 9:00 to 16:45 by quarter hours.
local function future(n)
  local day = days[(n % #days) + 1]
  local minutes = 9 * 60 + (n * 15) % (8 * 60)
  return string.format("%sT%02d:%02d", day, math.floor(minutes / 60), minutes % 60)
end

function request()
  if follow then
    local path = follow
    follow = nil
    return get(path, "follow")
  end
  step = step % #plan + 1
  local what = plan[step]
  if what == "read" then
    read_turn = read_turn % #read_pages + 1
    return get(read_pages[read_turn], "read")
  elseif what == "interaction" then
    contact_turn = contact_turn % #me.contacts + 1
    return post(string.format(paths.interaction, me.contacts[contact_turn]), {
      {"kind", "email"}, {"occurred_on", yesterday}, {"note", "Followed up after the fair."},
    }, "interaction")
  elseif what == "contact" then
    added = added + 1
    return post(paths.contact, {
      {"name", string.format("Load Person %d-%d", id, added)},
      {"organization_name", orgs[(added % #orgs) + 1]},
      {"title", "Analyst"}, {"industry", ""}, {"email", ""}, {"phone", ""},
      {"linkedin_url", ""}, {"relationship", "alumni"}, {"how_met", "Career fair"},
      {"referred_by", ""}, {"tags", ""}, {"cadence_days", "0"}, {"notes", ""},
      {"save_anyway", "on"},
    }, "contact")
  end
  conversation_turn = conversation_turn % #me.conversations + 1
  moved = moved + 1
  local move = cycle[stage[conversation_turn]]
  local fields
  if move == "reschedule" then
    fields = {{"scheduled_at", future(moved)}, {"asked_by", "them"}, {"reason", ""},
              {"location", ""}}
  elseif move == "cancel" then
    fields = {{"asked_by", "me"}, {"reason", "Exam week."}}
  else
    fields = {{"scheduled_at", future(moved)}, {"mode", "video"}, {"location", ""},
              {"duration_minutes", "30"}}
  end
  return post(string.format(paths[move], me.conversations[conversation_turn]), fields,
              "move " .. move, conversation_turn)
end

local function fail(what, status)
  local key = what .. ": " .. status
  errors[key] = (errors[key] or 0) + 1
  bad = bad + 1
  last_bad = tonumber(string.match(status, "^%d+")) or 0
end

function response(status, headers, body)
  local asked = pending or {kind = "read"}
  pending = nil
  if asked.kind == "write" then
    writes = writes + 1
    local location = headers["Location"] or headers["location"] or ""
    if (status == 302 or status == 303) and location ~= ""
        and not string.find(location, login, 1, true) then
      if asked.index then stage[asked.index] = stage[asked.index] % #cycle + 1 end
      location = string.gsub(location, "#.*$", "")
      follow = (string.gsub(location, "^https?://[^/]+", ""))
    elseif status == 200 then
      fail(asked.what, "200 (form refused)")
    else
      fail(asked.what, tostring(status) .. (location ~= "" and (" to " .. location) or ""))
    end
  else
    if asked.kind == "follow" then follows = follows + 1 else reads = reads + 1 end
    if status < 200 or status > 299 then fail(asked.kind, tostring(status)) end
  end
end

function done(summary, latency, requests)
  local total, last = 0, 0
  local by = {}
  local counts = {reads = 0, writes = 0, follows = 0}
  for _, thread in ipairs(threads) do
    total = total + thread:get("bad")
    if thread:get("last_bad") ~= 0 then last = thread:get("last_bad") end
    for key, n in pairs(thread:get("errors")) do by[key] = (by[key] or 0) + n end
    for key, _ in pairs(counts) do counts[key] = counts[key] + thread:get(key) end
  end
  local parts = {}
  for key, n in pairs(by) do
    parts[#parts + 1] = string.format("\"%s\": %d", string.gsub(key, "\"", "'"), n)
  end
  local e = summary.errors
  io.write(string.format(
    "WRK_JSON {\"requests\": %d, \"duration_us\": %d, \"bytes\": %d, " ..
    "\"p50_us\": %d, \"p95_us\": %d, \"p99_us\": %d, \"max_us\": %d, \"mean_us\": %.1f, " ..
    "\"non2xx\": %d, \"last_bad_status\": %d, \"connect\": %d, \"read\": %d, " ..
    "\"write\": %d, \"timeout\": %d, \"reads\": %d, \"writes\": %d, \"follows\": %d, " ..
    "\"errors_by_request\": {%s}}\n",
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    latency.mean, total, last, e.connect, e.read, e.write, e.timeout,
    counts.reads, counts.writes, counts.follows, table.concat(parts, ", ")))
end
