-- A cheap upper bound on how long two weeks overlap (#16, recommendations at 500 k mentors). The first step of
-- candidate ranking (matching.dal.candidates_sql) intersects the week of every meeting mentor who could make the
-- pool by skills and fixed part, bounded by the mentee's whole week; when those parts tie (a one-goal mentee whose
-- goal thousands of mentors cover in full) that bound leaves nearly all of them, and at 500 k mentors a mentee
-- measured 16,806 intersections (39 of the statement's 79 ms). Each bucket row now also carries the week cut into
-- 672 slots of 15 minutes: bit i (from the left) is set when the week has a minute in [15 i, 15 i + 15), minutes
-- clamped to the week. Two weeks overlap at most 15 minutes in each slot both have a bit in, and not at all
-- elsewhere, so 15 x bit_count(a & b) is an upper bound of their overlap in minutes, exact when both weeks'
-- windows start and end on quarter hours (every UTC offset in use is a multiple of 15 minutes).
create function public.week_slots(p_week int4multirange) returns bit(672)
language sql immutable strict parallel safe set search_path = ''
as $$
  select coalesce(bit_or((repeat('0', lo) || repeat('1', hi - lo + 1) || repeat('0', 671 - hi))::bit(672)),
                  repeat('0', 672)::bit(672))
    from (select least(greatest(coalesce(lower(r), 0), 0), 10079) / 15 as lo,
                 least(greatest(coalesce(upper(r) - 1, 10079), 0), 10079) / 15 as hi
            from unnest(p_week) r) slots
$$;
comment on function public.week_slots(int4multirange) is
  'Bit (minute / 15), from the left, set for every minute of the week (clamped to 0..10079) the multirange holds.';
revoke execute on function public.week_slots(int4multirange) from public, anon;
-- The ranking runs as the mentee and cuts the mentee's week into slots once per request.
grant execute on function public.week_slots(int4multirange) to authenticated;

-- Generated on the bucket rows themselves, so that refresh_mentor_search stays as it is (its insert names the
-- columns it fills), and read from the index like every other column the ranking reads.
alter table public.mentor_search_by_bucket
  add column week_slots bit(672) generated always as (public.week_slots(week_utc)) stored;
comment on column public.mentor_search_by_bucket.week_slots is
  'public.week_slots(week_utc): 15 x bit_count(a & b) minutes bound the overlap of two weeks.';
drop index public.mentor_search_by_bucket_idx;
create index mentor_search_by_bucket_idx on public.mentor_search_by_bucket (skill_id, bucket, level)
  include (mentor_id, languages, week_utc, week_buckets, rating, room, week_slots);
