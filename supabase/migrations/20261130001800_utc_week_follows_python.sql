-- A profile's week in UTC, computed by the same rule in SQL (stored week_utc, which candidate ranking reads) and
-- in Python (matching.scoring.to_utc_week, which re-scores and explains) (#16). They differed in two ways:
-- - the week: SQL took the Monday of the current week in the profile's own time zone, Python the Monday of the UTC
--   date; on a Sunday evening west of UTC (a Monday morning east of it) the two weeks differ, and with them the
--   offsets when DST changes in between;
-- - a wall time that happens twice (the hour DST ends) is the *earlier* instant in Python (zoneinfo, fold=0, PEP
--   495) and the *later* one in Postgres, which "interprets the given time as if it were standard time"
--   (PostgreSQL 15 docs, B.2 Handling of Invalid or Ambiguous Timestamps). A wall time that does not exist (the
--   hour DST starts) is read as standard time, the offset before the transition, by both.
-- Now SQL follows Python: the UTC date's Monday, and of the instants whose local time is the window's start, the
-- earliest (DST shifts are 30 or 60 minutes). `utc_week_at` takes the date, so tests can hold the two equal on
-- any week; `utc_week_of` is it for today.
create function public.utc_week_at(p_user_id uuid, p_tz text, p_week_of date) returns int4multirange
language sql stable set search_path = ''
as $$
  with monday as (
    select p_week_of - (extract(isodow from p_week_of)::integer - 1) as d
  ), local as (
    select (monday.d + w.weekday) + make_interval(mins => w.start_minute) as wall,
           w.end_minute - w.start_minute as len
      from public.availability_windows w, monday
     where w.user_id = p_user_id
  ), starts as (
    select coalesce(
             (select min(c) from (values (l.wall at time zone p_tz - interval '1 hour'),
                                         (l.wall at time zone p_tz - interval '30 minutes'),
                                         (l.wall at time zone p_tz)) v(c)
               where c at time zone p_tz = l.wall),
             l.wall at time zone p_tz) as instant,
           l.len
      from local l
  ), w as (
    select ((floor(extract(epoch from (s.instant - (monday.d::timestamp at time zone 'UTC'))) / 60)::integer % 10080)
             + 10080) % 10080 as s,
           s.len
      from starts s, monday
  ), parts as (
    select int4range(s, least(s + len, 10080)) as r from w
    union all
    select int4range(0, s + len - 10080) from w where s + len > 10080
  )
  select coalesce(range_agg(r), '{}'::int4multirange) from parts
$$;
revoke execute on function public.utc_week_at(uuid, text, date) from public, anon, authenticated, service_role;

create or replace function public.utc_week_of(p_user_id uuid, p_tz text) returns int4multirange
language sql stable set search_path = ''
as $$ select public.utc_week_at(p_user_id, p_tz, (now() at time zone 'UTC')::date) $$;

-- Every stored week again by the rule now in force, and the search rows that copy it.
update public.mentor_profiles set week_utc = public.utc_week_of(user_id, timezone);
update public.mentee_profiles set week_utc = public.utc_week_of(user_id, timezone);
select public.refresh_mentor_search(array(select user_id from public.mentor_profiles));
