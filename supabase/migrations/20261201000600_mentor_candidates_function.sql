-- The candidate ranking as a function (#16, recommendations at 500 k mentors). matching.dal sent its ranking
-- statement with every request and Postgres planned it every time: through Supabase's transaction pooler no
-- prepared statement can be kept. In a PL/pgSQL function the plan is kept for the database session (a generic
-- plan, the same for every mentee). Measured on the bench's databases (median of the 40 mentees x 3, the statement
-- sent unprepared as the functions send it): the ranking of 20261201000400 13.6 -> 9.6 ms at 50 k mentors, 52.4 ->
-- 44.4 ms at 500 k; this one, which also reads only the rarest goals when a floor allows (20261201000500), 10.0 and
-- 34.9 ms as a function.
-- The body is the ranking matching.dal.candidates_sql writes from the weights of matching.scoring, and
-- tests/integration/matching/test_one_rule.py holds this function equal to what Python writes today: a change to
-- the weights or to the ranking needs a migration with matching.dal.candidates_function's new text. It runs as the
-- caller, under RLS, as the statement did, and ranks for the caller only (auth.uid()), at most 1,000 mentors: like
-- every function in public that authenticated may execute, it can be called through the Data API too.
create or replace function public.mentor_candidates(p_pool integer)
returns table (candidate_id uuid, candidate_score double precision)
language plpgsql stable security invoker set search_path = '' set plan_cache_mode = force_generic_plan
as $$
declare
  p_mentee constant uuid := auth.uid();
begin
  p_pool := least(greatest(coalesce(p_pool, 1), 1), 1000);
  return query
with me as materialized (
  select languages, week_utc, buckets, public.week_slots(week_utc) as slots,
         0.2::float8 * least(1::float8, coalesce((select sum(upper(r) - lower(r)) from unnest(week_utc) r), 0) / 240.0::float8) as most,
         array(select b::smallint from generate_series(0, 62) b where buckets & (1::bigint << b) <> 0) as free_in
    from public.mentee_profiles, public.week_buckets(week_utc) buckets where user_id = p_mentee
), goals as (
  select skill_id, current_level, (target_level - current_level)::float8 as gap, count(*) over ()::float8 as n
    from public.mentee_goals where mentee_id = p_mentee
), reach as (
  select g.*, 0.55::float8 * least(5 - g.current_level, g.gap) / g.gap / g.n as best,
         (select coalesce(bit_or(1::bigint << (o.skill_id % 64)::integer), 0) from goals o
           where o.skill_id <> g.skill_id) as others
    from goals g
), ranked as (
  select g.*, row_number() over (order by case when g.n = 1 then 0 else (select count(*) from (select from public.mentor_search_by_bucket c where c.skill_id = g.skill_id and c.bucket = (select free_in[1] from me) and c.level > g.current_level limit 2000) c) end, g.skill_id) as rank
    from reach g
), near as not materialized (
  select s.mentor_id, s.week_utc, 0.55::float8 * least(s.level - g.current_level, g.gap) / g.gap / g.n as share, case when s.languages && me.languages then 0.1::float8 else 0::float8 end + 0.1::float8 * coalesce(s.rating, 3::float8) / 5 + 0.05::float8 * s.room as fixed, bit_count(s.week_slots & me.slots) as slots, s.skill_bits as bits from ranked g cross join me cross join unnest(me.free_in) as mine(bucket) join public.mentor_search_by_bucket s on s.skill_id = g.skill_id and s.bucket = mine.bucket and s.level > g.current_level where g.rank = 1 and s.mentor_id <> p_mentee and (case when (s.week_buckets & me.buckets) & -(s.week_buckets & me.buckets) = 1::bigint << mine.bucket then s.week_utc && me.week_utc else false end)
), near_floor as (
  select case when count(*) = p_pool then min(score) - 1e-9 else '-infinity'::float8 end as score from (select score from (select m.share + case when m.bits & r.others = 0 then 0::float8 else coalesce((select sum(0.55::float8 * least(t.level - o.current_level, o.gap) / o.gap / o.n) from reach o join public.mentor_search t on t.mentor_id = m.mentor_id and t.skill_id = o.skill_id where o.skill_id <> r.skill_id and t.level > o.current_level), 0::float8) end + (m.fixed + 0.2::float8 * least(1::float8, coalesce((select sum(upper(r) - lower(r)) from unnest(m.week_utc * me.week_utc) r), 0) / 240.0::float8)) as score from near m cross join me cross join (select g.*, (select sum(best) from reach) - g.best as rest from ranked g where g.rank = 1) r where (select count(*) from reach) > 1 order by m.share + case when m.bits & r.others = 0 then 0::float8 else r.rest end + m.fixed + least(me.most, 0.2::float8 * least(1::float8, coalesce(15 * m.slots, 0) / 240.0::float8)) desc limit 2 * p_pool) y order by score desc limit p_pool) x
), need_met as (
  select min(k) as goals, max(k) as n from (select row_number() over w as k, sum(best) over w + 0.1::float8 + 0.1::float8 + 0.05::float8 + (select most from me) as most from reach        window w as (order by best desc rows between unbounded preceding and current row)) t where most >= (select score from near_floor) or k = (select count(*) from reach)
), read as (
  select * from ranked where rank <= (select n - goals + 1 from need_met)
), unread as (
  select coalesce(bit_or(1::bigint << (g.skill_id % 64)::integer), 0) as bits, coalesce(sum(g.best), 0) as best from reach g where g.skill_id not in (select skill_id from read)
), met as (
  select x.mentor_id, x.week_utc, sum(x.share) as shares, max(x.fixed) as fixed, max(x.slots) as slots,
         max(x.bits) as bits
    from (select s.mentor_id, s.week_utc, 0.55::float8 * least(s.level - g.current_level, g.gap) / g.gap / g.n as share, case when s.languages && me.languages then 0.1::float8 else 0::float8 end + 0.1::float8 * coalesce(s.rating, 3::float8) / 5 + 0.05::float8 * s.room as fixed, bit_count(s.week_slots & me.slots) as slots, s.skill_bits as bits from read g cross join me cross join unnest(me.free_in) as mine(bucket) join public.mentor_search_by_bucket s on s.skill_id = g.skill_id and s.bucket = mine.bucket and s.level > g.current_level where true and s.mentor_id <> p_mentee and (case when (s.week_buckets & me.buckets) & -(s.week_buckets & me.buckets) = 1::bigint << mine.bucket then s.week_utc && me.week_utc else false end)) x
   group by x.mentor_id, x.week_utc
), likely as (
  select b.shares + case when b.bits & u.bits = 0 then 0::float8 else coalesce((select sum(0.55::float8 * least(t.level - o.current_level, o.gap) / o.gap / o.n) from reach o join public.mentor_search t on t.mentor_id = b.mentor_id and t.skill_id = o.skill_id where o.skill_id not in (select skill_id from read) and t.level > o.current_level), 0::float8) end + (b.fixed + 0.2::float8 * least(1::float8, coalesce((select sum(upper(r) - lower(r)) from unnest(b.week_utc * me.week_utc) r), 0) / 240.0::float8)) as score
    from (select m.* from met m cross join me cross join unread u order by m.shares + case when m.bits & u.bits = 0 then 0::float8 else u.best end + m.fixed + least(me.most, 0.2::float8 * least(1::float8, coalesce(15 * m.slots, 0) / 240.0::float8)) desc limit p_pool) b
   cross join me cross join unread u
), least_met as (
  select case when count(*) = p_pool then min(score) - 1e-9 else '-infinity'::float8 end as score from likely
), meeting as (
  select m.mentor_id, m.shares + case when m.bits & u.bits = 0 then 0::float8 else coalesce((select sum(0.55::float8 * least(t.level - o.current_level, o.gap) / o.gap / o.n) from reach o join public.mentor_search t on t.mentor_id = m.mentor_id and t.skill_id = o.skill_id where o.skill_id not in (select skill_id from read) and t.level > o.current_level), 0::float8) end + (m.fixed + 0.2::float8 * least(1::float8, coalesce((select sum(upper(r) - lower(r)) from unnest(m.week_utc * me.week_utc) r), 0) / 240.0::float8)) as score
    from met m cross join me cross join unread u
   where m.shares + case when m.bits & u.bits = 0 then 0::float8 else u.best end + m.fixed + least(me.most, 0.2::float8 * least(1::float8, coalesce(15 * m.slots, 0) / 240.0::float8)) >= (select score from least_met)
   order by score desc, m.mentor_id
   limit p_pool
), floor as (
  select case when count(*) = p_pool then min(score) - 1e-9 else '-infinity'::float8 end as score from meeting
), need as (
  -- (all the goals if even all of them stay below the floor, and then the one-time filter of `found` reads nothing)
  select min(k) as goals, max(k) as n from (select row_number() over w as k, sum(best) over w + 0.1::float8 + 0.1::float8 + 0.05::float8 as most from reach        window w as (order by best desc rows between unbounded preceding and current row)) t where most >= (select score from floor) or k = (select count(*) from reach)
), scanned as (
  select g.* from ranked g order by g.rank limit (select n - goals + 1 from need)
), found as (
  select s.mentor_id, sum(0.55::float8 * least(s.level - g.current_level, g.gap) / g.gap / g.n) as shares, max(case when s.languages && me.languages then 0.1::float8 else 0::float8 end + 0.1::float8 * coalesce(s.rating, 3::float8) / 5 + 0.05::float8 * s.room) as fixed, max(s.skill_bits) as bits
    from scanned g
    join public.mentor_search s on s.skill_id = g.skill_id and s.level > g.current_level
    cross join me
   where (select score from floor) <= (select sum(best) from reach) + 0.1::float8 + 0.1::float8 + 0.05::float8
     and (s.skill_bits & g.others <> 0 or g.best + 0.1::float8 + 0.1::float8 + 0.05::float8 >= (select score from floor))
     and s.mentor_id <> p_mentee and not (case when s.week_buckets & me.buckets <> 0 then s.week_utc && me.week_utc else false end)
     and 0.55::float8 * least(s.level - g.current_level, g.gap) / g.gap / g.n + case when s.languages && me.languages then 0.1::float8 else 0::float8 end + 0.1::float8 * coalesce(s.rating, 3::float8) / 5 + 0.05::float8 * s.room
         + case when s.skill_bits & g.others <> 0 then (select sum(best) from reach) - g.best else 0::float8 end
         >= (select score from floor)
   group by s.mentor_id
), unscanned as (
  select coalesce(bit_or(1::bigint << (g.skill_id % 64)::integer), 0) as bits, coalesce(sum(g.best), 0) as best from reach g where g.skill_id not in (select skill_id from scanned)
), apart as (
  select f.mentor_id,
         f.shares
         + case when f.bits & u.bits = 0 then 0::float8
                else coalesce((select sum(0.55::float8 * least(t.level - o.current_level, o.gap) / o.gap / o.n) from reach o join public.mentor_search t on t.mentor_id = f.mentor_id and t.skill_id = o.skill_id where o.skill_id not in (select skill_id from scanned) and t.level > o.current_level), 0::float8) end
         + f.fixed as score
    from found f cross join unscanned u
   where f.shares + f.fixed + case when f.bits & u.bits = 0 then 0::float8 else u.best end
         >= (select score from floor)
   order by score desc, f.mentor_id
   limit p_pool
)
select mentor_id, score from (select * from meeting union all select * from apart) candidates
 order by score desc, mentor_id
 limit p_pool;
end;
$$;
revoke execute on function public.mentor_candidates(integer) from public, anon;
grant execute on function public.mentor_candidates(integer) to authenticated;
