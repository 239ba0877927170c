-- Browsing used no index for anyone but the table owner (#16, measured by bench/browse.py): the search's
-- `status = 'published'` is a user qual, which under RLS runs after the policies' quals, and enum equality is not
-- leakproof, so the planner could not use it to match the partial index `(starts_at, id) where status =
-- 'published'`: every visitor's and member's first page sorted a sequential scan of all sessions. An index on
-- (starts_at, id) for every status serves the keyset order under RLS (the few drafts and cancelled sessions are
-- filtered as the scan goes).
drop index public.sessions_published_start_idx;
create index sessions_start_idx on public.sessions (starts_at, id);
