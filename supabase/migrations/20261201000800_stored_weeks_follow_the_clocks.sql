-- A stored UTC week stays the week Python scores with after the clocks change (#16: the SQL ranking and the Python
-- re-score must agree, and the SQL UTC week follows Python's rule).
--
-- A profile's week_utc (which candidate ranking reads, and mentor_search copies) is computed by utc_week_at for the
-- week of the write that last touched the profile, while Python (matching.scoring.to_utc_week) converts the windows
-- for the week of the request. Nothing recomputed a stored week when the offsets changed: a mentor in New York who
-- last edited in October still had his summer week in December, an hour off what the re-score and the explanation
-- use, so the ranking could keep out a mentor Python would have put first (the pool only hid small differences).
--
-- Now each profile keeps the Monday its week was computed for (week_of), and the hourly matching sweep recomputes
-- the profiles whose zone's offsets over that week differ from this week's (refresh_stale_weeks). Two weeks whose
-- offsets are equal minute for minute around them, each taken from its own Monday 00:00 UTC, give every window the
-- same UTC minutes (utc_week_at only adds and subtracts those offsets), so a zone without a clock change in
-- between costs nothing. A zone with DST has four patterns a year (standard, summer, and the two weeks holding a
-- change), so its profiles are recomputed four times a year; a zone without DST never. The offsets of a zone's week
-- (utc_week_pattern) are kept per zone and Monday in utc_week_patterns, computed once (note_week_patterns).
--
-- The sweep runs at the start of every hour (template.yaml, EventBridge Scheduler `cron(0 * * * ? *)`, UTC, run
-- within the minute: docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html), so a week that starts
-- with other offsets is recomputed in the first minutes of its Monday, in batches (matching.sweep).

alter table public.mentor_profiles add column week_of date;
alter table public.mentee_profiles add column week_of date;
comment on column public.mentor_profiles.week_of is
  'The Monday (UTC date) of the week week_utc was computed for; refresh_stale_weeks recomputes it when the offsets change.';
comment on column public.mentee_profiles.week_of is
  'The Monday (UTC date) of the week week_utc was computed for; refresh_stale_weeks recomputes it when the offsets change.';

-- The Monday of a date's ISO week (the rule of utc_week_at and of Python's week_of - weekday()).
create function public.utc_monday(p_day date) returns date
language sql immutable parallel safe set search_path = ''
as $$ select p_day - (extract(isodow from p_day)::integer - 1) $$;

-- The offsets a zone has around the week of p_week_of, as text: where the span starts (in quarter hours from that
-- week's Monday 00:00 UTC), the offset there, then each change as `minute=offset` (minutes from the Monday). The span
-- runs from 3 hours before the zone's local Monday 00:00 to 3 hours after the next one: every instant utc_week_at
-- produces or tests for the week lies in it (local walls of the week, their 30- and 60-minute earlier candidates;
-- clock changes are at most 2 hours). Sampled every 15 minutes, a change then found to the minute inside its quarter
-- hour (the rules in use switch on whole minutes). Equal texts: equal offsets at equal distances from each Monday.
create function public.utc_week_pattern(p_tz text, p_week_of date) returns text
language sql stable parallel safe set search_path = ''
as $$
  with span as (
    select w.m::timestamp at time zone 'UTC' as t0,
           floor(extract(epoch from (w.m::timestamp at time zone p_tz) - interval '3 hours'
                                    - w.m::timestamp at time zone 'UTC') / 900)::integer as first,
           ceil(extract(epoch from ((w.m + 7)::timestamp at time zone p_tz) + interval '3 hours'
                                   - w.m::timestamp at time zone 'UTC') / 900)::integer as last
      from (select public.utc_monday(p_week_of) as m) w
  ), samples as (
    select k, (extract(epoch from (x.t at time zone p_tz) - (x.t at time zone 'UTC')) / 60)::integer as utc_offset
      from span cross join generate_series(span.first, span.last) k
     cross join lateral (select span.t0 + k * interval '15 minutes' as t) x
  ), changes as (
    select k, utc_offset, before
      from (select k, utc_offset, lag(utc_offset) over (order by k) as before from samples) s
     where utc_offset <> before
  ), minutes as (
    select (select min(j) from generate_series((c.k - 1) * 15 + 1, c.k * 15) j
             cross join lateral (select span.t0 + j * interval '1 minute' as t) x
             where (extract(epoch from (x.t at time zone p_tz) - (x.t at time zone 'UTC')) / 60)::integer
                   <> c.before) as minute,
           c.utc_offset
      from changes c cross join span
  )
  select span.first || ':' || (select utc_offset from samples where k = span.first)
         || coalesce(' ' || (select string_agg(minute || '=' || utc_offset, ' ' order by minute) from minutes), '')
    from span
$$;

create table public.utc_week_patterns (
  timezone text not null,
  week_of date not null check (extract(isodow from week_of) = 1),
  pattern text not null,
  primary key (timezone, week_of)
);
comment on table public.utc_week_patterns is
  'utc_week_pattern of each zone and Monday the stored weeks were computed for, and of this week (note_week_patterns).';
alter table public.utc_week_patterns enable row level security;
-- Written only by the sweep's functions (security definer). Clients get nothing; the service role reads it, as it
-- reads the other system tables (write_counters, idempotency_keys, stripe_events), and writes none of them.
revoke all on public.utc_week_patterns from public, anon, authenticated, service_role;
grant select on public.utc_week_patterns to service_role;

-- The triggers that compute a stored week record its Monday.
create or replace function public.profile_week_utc() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  new.week_of := public.utc_monday((now() at time zone 'UTC')::date);
  new.week_utc := public.utc_week_at(new.user_id, new.timezone, new.week_of);
  return new;
end;
$$;

create or replace function public.refresh_week_utc(p_user_id uuid) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_monday constant date := public.utc_monday((now() at time zone 'UTC')::date);
begin
  update public.mentor_profiles set week_of = v_monday, week_utc = public.utc_week_at(user_id, timezone, v_monday)
   where user_id = p_user_id;
  update public.mentee_profiles set week_of = v_monday, week_utc = public.utc_week_at(user_id, timezone, v_monday)
   where user_id = p_user_id;
end;
$$;

-- The patterns of the zones and Mondays the stored weeks were computed for, and of this week in each zone, that are
-- not kept yet (one pass over the profiles, done once per sweep); how many it added.
create function public.note_week_patterns() returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  v_monday constant date := public.utc_monday((now() at time zone 'UTC')::date);
  v_added integer;
begin
  insert into public.utc_week_patterns (timezone, week_of, pattern)
  select u.timezone, u.week_of, public.utc_week_pattern(u.timezone, u.week_of)
    from (select distinct z.timezone, w.week_of
            from (select timezone, week_of from public.mentor_profiles
                  union select timezone, week_of from public.mentee_profiles) z
           cross join lateral (values (z.week_of), (v_monday)) w(week_of)) u
   where not exists (select from public.utc_week_patterns p where p.timezone = u.timezone and p.week_of = u.week_of)
  on conflict do nothing;
  get diagnostics v_added = row_count;
  return v_added;
end;
$$;

-- Recompute up to p_limit stored weeks (mentors first) whose zone's pattern for their Monday, as noted, differs from
-- this week's; how many it recomputed (fewer than p_limit: none is left). One statement: the stale (zone, Monday)
-- pairs are found once, the mentees' batch takes what the mentors' left. The mentors' search rows follow through the
-- update trigger of mentor_profiles. Each profile is found through (timezone, week_of).
create function public.refresh_stale_weeks(p_limit integer) returns integer
language sql security definer set search_path = ''
as $$
  with monday as (
    select public.utc_monday((now() at time zone 'UTC')::date) as d
  ), stale as (
    select p.timezone, p.week_of
      from public.utc_week_patterns p
      join monday on p.week_of <> monday.d
      join public.utc_week_patterns c on c.timezone = p.timezone and c.week_of = monday.d
     where p.pattern <> c.pattern
  ), mentors as (
    update public.mentor_profiles mp
       set week_of = monday.d, week_utc = public.utc_week_at(mp.user_id, mp.timezone, monday.d)
      from monday
     where mp.user_id in (select x.user_id from public.mentor_profiles x join stale s using (timezone, week_of)
                           limit greatest(p_limit, 0))
    returning 1
  ), mentees as (
    update public.mentee_profiles mp
       set week_of = monday.d, week_utc = public.utc_week_at(mp.user_id, mp.timezone, monday.d)
      from monday
     where mp.user_id in (select x.user_id from public.mentee_profiles x join stale s using (timezone, week_of)
                           limit greatest(p_limit - (select count(*) from mentors), 0))
    returning 1
  )
  select ((select count(*) from mentors) + (select count(*) from mentees))::integer
$$;

create index mentor_profiles_week_of_idx on public.mentor_profiles (timezone, week_of);
create index mentee_profiles_week_of_idx on public.mentee_profiles (timezone, week_of);

-- Internal, like the other sweeps (20261130000600): run on the jobs' own connection, never through the Data API.
revoke execute on function public.utc_monday(date), public.utc_week_pattern(text, date), public.note_week_patterns(),
  public.refresh_stale_weeks(integer)
  from public, anon, authenticated, service_role;

-- Every stored week again, for a known Monday (the week each was computed for was not recorded before). The search
-- rows follow through the update trigger.
update public.mentor_profiles
   set week_of = public.utc_monday((now() at time zone 'UTC')::date),
       week_utc = public.utc_week_at(user_id, timezone, public.utc_monday((now() at time zone 'UTC')::date));
update public.mentee_profiles
   set week_of = public.utc_monday((now() at time zone 'UTC')::date),
       week_utc = public.utc_week_at(user_id, timezone, public.utc_monday((now() at time zone 'UTC')::date));
alter table public.mentor_profiles alter column week_of set not null;
alter table public.mentee_profiles alter column week_of set not null;
