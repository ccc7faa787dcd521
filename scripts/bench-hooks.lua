-- bench-hooks.lua: a wrk script for the hook throughput part of
-- scripts/bench.sh: every request is a new pull request's "created" event,
-- so every 202 stands for one job written durably to the spool.
--
--   BENCH_HOOK_TEMPLATE=FILE BENCH_HOOK_AUTH=BASE64 \
--       wrk -t2 -c64 -d10s --latency -s scripts/bench-hooks.lua URL
--
-- FILE is a service hook body (tests/data/events/created.json as bench.sh
-- rewrites it) holding the placeholders "@@PR@@" (with its quotes: a JSON
-- number replaces it) and @@SOURCE@@ (40 hex digits replace it). Each wrk
-- thread has its own Lua state: the pull request id is thread * 10^8 +
-- counter and the source commit "thread in 8 hex digits" .. "counter in 32",
-- so no two requests of a run share either.
--
-- done() prints one line bench.sh parses:
--   bench-hooks: requests=N duration_us=N sent=N answered=N socket_errors=N
--     p50_us=N p99_us=N status_200=N status_202=N ...

local threads = {}
local next_id = 1

-- main state: number the threads, keep them for done()
function setup(thread)
	thread:set("thread_id", next_id)
	next_id = next_id + 1
	table.insert(threads, thread)
end

-- thread state ----------------------------------------------------------

local PR, SOURCE = {}, {} -- placeholder markers in pieces
local pieces -- the template split at its placeholders
local headers
local counter = 0
sent = 0
answered = 0
statuses = {} -- status code -> count, read by done() through thread:get

local function split(text)
	local out, pos = {}, 1
	while true do
		local a, b, what
		local pa, pb = text:find('"@@PR@@"', pos, true)
		local sa, sb = text:find("@@SOURCE@@", pos, true)
		if pa and (not sa or pa < sa) then
			a, b, what = pa, pb, PR
		elseif sa then
			a, b, what = sa, sb, SOURCE
		end
		if not a then
			table.insert(out, text:sub(pos))
			return out
		end
		table.insert(out, text:sub(pos, a - 1))
		table.insert(out, what)
		pos = b + 1
	end
end

function init(args)
	local path = os.getenv("BENCH_HOOK_TEMPLATE")
	local auth = os.getenv("BENCH_HOOK_AUTH")
	if not path or not auth then
		error("bench-hooks.lua: set BENCH_HOOK_TEMPLATE and BENCH_HOOK_AUTH")
	end
	local f = assert(io.open(path, "rb"))
	local text = f:read("*a")
	f:close()
	pieces = split(text)
	local seen = {}
	for _, p in ipairs(pieces) do
		seen[p] = true
	end
	if not seen[PR] or not seen[SOURCE] then
		error("bench-hooks.lua: " .. path ..
		    " lacks the \"@@PR@@\" or @@SOURCE@@ placeholder")
	end
	headers = {
		["Authorization"] = "Basic " .. auth,
		["Content-Type"] = "application/json",
	}
end

function request()
	counter = counter + 1
	sent = sent + 1
	local pr = string.format("%d", thread_id * 100000000 + counter)
	local source = string.format("%08x%032x", thread_id, counter)
	local body = {}
	for i, p in ipairs(pieces) do
		if p == PR then
			body[i] = pr
		elseif p == SOURCE then
			body[i] = source
		else
			body[i] = p
		end
	end
	return wrk.format("POST", nil, headers, table.concat(body))
end

function response(status, headers, body)
	answered = answered + 1
	statuses[status] = (statuses[status] or 0) + 1
end

-- main state again --------------------------------------------------------

function done(summary, latency, requests)
	local total = {}
	local sent_all, answered_all = 0, 0
	for _, t in ipairs(threads) do
		sent_all = sent_all + (t:get("sent") or 0)
		answered_all = answered_all + (t:get("answered") or 0)
		for status, n in pairs(t:get("statuses") or {}) do
			total[status] = (total[status] or 0) + n
		end
	end
	local e = summary.errors
	local line = string.format(
	    "bench-hooks: requests=%d duration_us=%d sent=%d answered=%d " ..
	    "socket_errors=%d p50_us=%d p99_us=%d",
	    summary.requests, summary.duration, sent_all, answered_all,
	    e.connect + e.read + e.write + e.timeout,
	    latency:percentile(50), latency:percentile(99))
	local codes = {}
	for status in pairs(total) do
		table.insert(codes, status)
	end
	table.sort(codes)
	for _, status in ipairs(codes) do
		line = line .. string.format(" status_%d=%d", status, total[status])
	end
	io.write(line .. "\n")
end
