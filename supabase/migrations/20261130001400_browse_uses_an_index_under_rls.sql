-- Browsing used no index for anyone but the table owner (#16, measured by bench/browse.py): the search's
-- `status = 'published'` is a user qual, which under RLS runs after the policies' quals, and enum equality is not
-- leakproof, so the planner could not use it to match the partial index `(starts_at, id) where status =
-- 'published'`: every visitor's and member's first page sorted a sequential scan of all sessions. An index on
-- (starts_at, id) for every status serves the keyset order under RLS (the few drafts and cancelled sessions are
-- filtered as the scan goes).
drop index public.sessions_published_start_idx;
create index sessions_start_idx on public.sessions (starts_at, id);

-- Even so, under RLS the planner sorted a sequential scan at 1 M sessions (bench/browse.py: 0.6 s for the first page,
-- 6.6 s for a skill), and free text cannot use the GIN index at all (`@@` is not leakproof). As forums'
-- search_threads does, the search picks the page's session ids as the owner, applying the public visibility rule
-- itself — published, and a reserved session only for its mentee and host, exactly what the sessions' policies let
-- a caller see of published sessions — with only the filters given, so every plan is made for its own query (plain
-- index scans in (starts_at, id) order; GIN for free text). The caller then reads those rows under RLS as before.
create function public.search_session_ids(
  p_starts_after timestamptz, p_limit integer, p_q text default null, p_format public.session_format default null,
  p_min_price integer default null, p_max_price integer default null, p_starts_before timestamptz default null,
  p_host_id uuid default null, p_skill text default null, p_after_start timestamptz default null,
  p_after_id uuid default null
) returns setof uuid
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_where text := 's.status = ''published'' and s.starts_at >= $1'
    || ' and (s.reserved_for is null or (select auth.uid()) in (s.reserved_for, s.host_id))';
begin
  if p_limit is null or p_limit < 1 or p_limit > 101 then
    raise exception using errcode = '22023', message = 'limit must be between 1 and 101';
  end if;
  if p_q is not null then v_where := v_where || ' and s.search @@ websearch_to_tsquery(''english'', $3)'; end if;
  if p_format is not null then v_where := v_where || ' and s.format = $4'; end if;
  if p_min_price is not null then v_where := v_where || ' and s.price_amount >= $5'; end if;
  if p_max_price is not null then v_where := v_where || ' and s.price_amount <= $6'; end if;
  if p_starts_before is not null then v_where := v_where || ' and s.starts_at < $7'; end if;
  if p_host_id is not null then v_where := v_where || ' and s.host_id = $8'; end if;
  if p_skill is not null then
    v_where := v_where || ' and exists (select 1 from public.session_skills ss join public.skills k on k.id = ss.skill_id'
                       || ' where ss.session_id = s.id and k.slug = $9)';
  end if;
  if p_after_start is not null then v_where := v_where || ' and (s.starts_at, s.id) > ($10, $11)'; end if;
  return query execute
    'select s.id from public.sessions s where ' || v_where || ' order by s.starts_at, s.id limit $2'
    using p_starts_after, p_limit, p_q, p_format, p_min_price, p_max_price, p_starts_before, p_host_id, p_skill,
          p_after_start, p_after_id;
end;
$$;
revoke execute on function public.search_session_ids(timestamptz, integer, text, public.session_format, integer,
  integer, timestamptz, uuid, text, timestamptz, uuid) from public;
grant execute on function public.search_session_ids(timestamptz, integer, text, public.session_format, integer,
  integer, timestamptz, uuid, text, timestamptz, uuid) to anon, authenticated;
