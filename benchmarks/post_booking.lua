-- wrk script for bench_http.py: every request POSTs one booking as JSON.
-- The slot is an event with a very large capacity (seeded by the benchmark), so each POST takes a
-- new place and commits: lock the event, count, insert booking + history + outbox message.
-- The slot id comes from the environment (BENCH_SLOT), e.g. "e4".
local slot = os.getenv("BENCH_SLOT")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format('{"slot": "%s", "name": "Benchmark", "email": "bench@example.org"}', slot)
