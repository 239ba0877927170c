-- The candidate ranking takes its first floor from a sample and bounds every row it groups by it (#16,
-- recommendations at 500 k mentors). The ranking of 20261201000600 read the rarest goal's meeting rows twice: once
-- in full for a floor (the pool-th real score among the best bounded) that only told which goals to read, then
-- again with the others, grouping every meeting row of the goals read before any bound. Now the floor comes from
-- the rarest goal's first 300 meeting rows in each bucket of the mentee's week (highest levels first): it is lower,
-- but every row read after it must bound its mentor at or above it before it is grouped or its week compared, and
-- the languages are compared only for rows that pass the bound with a shared language granted. The goals left
-- unread add to a bound only as many best shares as the mentor's signature has of their bits (a three-goal mentee
-- looked up 10,797 mentors apart from its week, now 636). Same candidate lists for the bench's 40 mentees at 5 k,
-- 50 k and 500 k mentors; medians of the 40 x 3 as the mentee, alternating with the function it replaces on the
-- same databases: 50 k 10.3 -> 10.2 ms, 500 k 31.0 -> 25.5 ms (sum of the 40 at 500 k: 2,182 -> 1,251 ms).
-- As in 20261201000600, the body is what matching.dal.candidates_function writes from matching.scoring's weights,
-- and tests/integration/matching/test_one_rule.py holds this function equal to it.
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
  select g.*, row_number() over (order by case when g.n = 1 then 0 else (select count(*) from (select from public.mentor_search_by_bucket c where c.skill_id = g.skill_id and c.bucket = (select free_in[1] from me) and c.level > g.current_level limit 2000) c) end, g.skill_id) as rank,
         sum(g.best) over () - g.best as rest
    from reach g
), probe as (
  select g.skill_id, g.others, g.rest, m.* from ranked g cross join me cross join unnest(me.free_in) as mine(bucket) cross join lateral (select s.mentor_id, s.week_utc, 0.55::float8 * least(s.level - g.current_level, g.gap) / g.gap / g.n as share, case when s.languages && me.languages then 0.1::float8 else 0::float8 end + 0.1::float8 * coalesce(s.rating, 3::float8) / 5 + 0.05::float8 * s.room as fixed, bit_count(s.week_slots & me.slots) as slots, s.skill_bits as bits from public.mentor_search_by_bucket s   where s.skill_id = g.skill_id and s.bucket = mine.bucket and s.level > g.current_level    and s.mentor_id <> p_mentee and (case when (s.week_buckets & me.buckets) & -(s.week_buckets & me.buckets) = 1::bigint << mine.bucket then s.week_utc && me.week_utc else false end)  order by s.level desc limit 300) m where g.rank = 1
), near_floor as (
  select case when count(*) = p_pool then min(score) - 1e-9 else '-infinity'::float8 end as score from (select score from (select m.share + case when m.bits & m.others = 0 then 0::float8 else coalesce((select sum(0.55::float8 * least(t.level - o.current_level, o.gap) / o.gap / o.n) from reach o join public.mentor_search t on t.mentor_id = m.mentor_id and t.skill_id = o.skill_id where o.skill_id <> m.skill_id and t.level > o.current_level), 0::float8) end + (m.fixed + 0.2::float8 * least(1::float8, coalesce((select sum(upper(r) - lower(r)) from unnest(m.week_utc * me.week_utc) r), 0) / 240.0::float8)) as score from probe m cross join me order by m.share + case when m.bits & m.others = 0 then 0::float8 else m.rest end + m.fixed + least(me.most, 0.2::float8 * least(1::float8, coalesce(15 * m.slots, 0) / 240.0::float8)) desc limit 2 * p_pool) y order by score desc limit p_pool) x
), need_met as (
  select min(k) as goals, max(k) as n from (select row_number() over w as k, sum(best) over w + 0.1::float8 + 0.1::float8 + 0.05::float8 + (select most from me) as most from reach        window w as (order by best desc rows between unbounded preceding and current row)) t where most >= (select score from near_floor) or k = (select count(*) from reach)
), read as (
  select * from ranked where rank <= (select n - goals + 1 from need_met)
), unread as (
  with l as (select 1::bigint << (g.skill_id % 64)::integer as bit, g.best from reach g            where g.skill_id not in (select skill_id from read)) select coalesce((select bit_or(bit) from l), 0) as bits, coalesce((select sum(best) from l), 0) as best, array[0::float8] || array(select sum(b.best) over (order by b.best desc rows unbounded preceding)   from (select sum(best) as best from l group by bit) b order by b.best desc) as tops
), met as (
  select x.mentor_id, x.week_utc, sum(x.share) as shares, max(x.fixed) as fixed, max(x.slots) as slots,
         max(x.bits) as bits
    from (select s.mentor_id, s.week_utc, 0.55::float8 * least(s.level - g.current_level, g.gap) / g.gap / g.n as share, case when s.languages && me.languages then 0.1::float8 else 0::float8 end + 0.1::float8 * coalesce(s.rating, 3::float8) / 5 + 0.05::float8 * s.room as fixed, bit_count(s.week_slots & me.slots) as slots, s.skill_bits as bits from read g cross join me cross join unnest(me.free_in) as mine(bucket) join public.mentor_search_by_bucket s on s.skill_id = g.skill_id and s.bucket = mine.bucket and s.level > g.current_level where s.mentor_id <> p_mentee and (case when (s.week_buckets & me.buckets) & -(s.week_buckets & me.buckets) = 1::bigint << mine.bucket and 0.55::float8 * least(s.level - g.current_level, g.gap) / g.gap / g.n + case when s.skill_bits & g.others = 0 then 0::float8 else g.rest end + 0.1::float8 + 0.1::float8 * coalesce(s.rating, 3::float8) / 5 + 0.05::float8 * s.room + least(me.most, 0.2::float8 * least(1::float8, coalesce(15 * bit_count(s.week_slots & me.slots), 0) / 240.0::float8)) >= (select score from near_floor) and (0.55::float8 * least(s.level - g.current_level, g.gap) / g.gap / g.n + case when s.skill_bits & g.others = 0 then 0::float8 else g.rest end + case when s.languages && me.languages then 0.1::float8 else 0::float8 end + 0.1::float8 * coalesce(s.rating, 3::float8) / 5 + 0.05::float8 * s.room + least(me.most, 0.2::float8 * least(1::float8, coalesce(15 * bit_count(s.week_slots & me.slots), 0) / 240.0::float8)) >= (select score from near_floor)) then s.week_utc && me.week_utc else false end)) x
   group by x.mentor_id, x.week_utc
), likely as (
  select b.shares + case when b.bits & u.bits = 0 then 0::float8 else coalesce((select sum(0.55::float8 * least(t.level - o.current_level, o.gap) / o.gap / o.n) from reach o join public.mentor_search t on t.mentor_id = b.mentor_id and t.skill_id = o.skill_id where o.skill_id not in (select skill_id from read) and t.level > o.current_level), 0::float8) end + (b.fixed + 0.2::float8 * least(1::float8, coalesce((select sum(upper(r) - lower(r)) from unnest(b.week_utc * me.week_utc) r), 0) / 240.0::float8)) as score
    from (select m.* from met m cross join me cross join unread u order by m.shares + case when m.bits & u.bits = 0 then 0::float8 else u.tops[bit_count((m.bits & u.bits)::bit(64))::integer + 1] end + m.fixed + least(me.most, 0.2::float8 * least(1::float8, coalesce(15 * m.slots, 0) / 240.0::float8)) desc limit p_pool) b
   cross join me cross join unread u
), least_met as (
  select case when count(*) = p_pool then min(score) - 1e-9 else '-infinity'::float8 end as score from likely
), meeting as (
  select m.mentor_id, m.shares + case when m.bits & u.bits = 0 then 0::float8 else coalesce((select sum(0.55::float8 * least(t.level - o.current_level, o.gap) / o.gap / o.n) from reach o join public.mentor_search t on t.mentor_id = m.mentor_id and t.skill_id = o.skill_id where o.skill_id not in (select skill_id from read) and t.level > o.current_level), 0::float8) end + (m.fixed + 0.2::float8 * least(1::float8, coalesce((select sum(upper(r) - lower(r)) from unnest(m.week_utc * me.week_utc) r), 0) / 240.0::float8)) as score
    from met m cross join me cross join unread u
   where m.shares + case when m.bits & u.bits = 0 then 0::float8 else u.tops[bit_count((m.bits & u.bits)::bit(64))::integer + 1] end + m.fixed + least(me.most, 0.2::float8 * least(1::float8, coalesce(15 * m.slots, 0) / 240.0::float8)) >= (select score from least_met)
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
  with l as (select 1::bigint << (g.skill_id % 64)::integer as bit, g.best from reach g            where g.skill_id not in (select skill_id from scanned)) select coalesce((select bit_or(bit) from l), 0) as bits, coalesce((select sum(best) from l), 0) as best, array[0::float8] || array(select sum(b.best) over (order by b.best desc rows unbounded preceding)   from (select sum(best) as best from l group by bit) b order by b.best desc) as tops
), apart as (
  select f.mentor_id,
         f.shares
         + case when f.bits & u.bits = 0 then 0::float8
                else coalesce((select sum(0.55::float8 * least(t.level - o.current_level, o.gap) / o.gap / o.n) from reach o join public.mentor_search t on t.mentor_id = f.mentor_id and t.skill_id = o.skill_id where o.skill_id not in (select skill_id from scanned) and t.level > o.current_level), 0::float8) end
         + f.fixed as score
    from found f cross join unscanned u
   where f.shares + f.fixed + case when f.bits & u.bits = 0 then 0::float8 else u.tops[bit_count((f.bits & u.bits)::bit(64))::integer + 1] end
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
