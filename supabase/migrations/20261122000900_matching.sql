-- Matching: mentor and mentee profiles, weekly availability, mentorship requests (capacity kept atomically),
-- and cohort programs with proposed matches that an admin confirms.

create or replace function public.is_platform_admin() returns boolean
language sql stable set search_path = ''
as $$ select coalesce((select auth.jwt()) -> 'app_metadata' ->> 'role', '') = 'admin' $$;

create table public.mentor_profiles (
  user_id uuid primary key references public.profiles (id) on delete cascade,
  accepting boolean not null default true,
  capacity integer not null default 3 check (capacity between 1 and 50),
  active_mentees integer not null default 0,
  years_experience numeric(4, 1) not null default 0 check (years_experience between 0 and 80),
  languages text[] not null default '{en}',
  timezone text not null default 'UTC' check (public.is_valid_timezone(timezone)),
  updated_at timestamptz not null default now(),
  constraint mentor_capacity_respected check (active_mentees >= 0 and active_mentees <= capacity)
);
comment on column public.mentor_profiles.active_mentees is 'Maintained by the mentorship functions only.';
create index mentor_profiles_open_idx on public.mentor_profiles (user_id) where accepting and active_mentees < capacity;

create table public.mentor_skills (
  mentor_id uuid not null references public.mentor_profiles (user_id) on delete cascade,
  skill_id bigint not null references public.skills (id) on delete cascade,
  level smallint not null check (level between 1 and 5),
  primary key (mentor_id, skill_id)
);
create index mentor_skills_skill_idx on public.mentor_skills (skill_id, level desc, mentor_id);

create table public.mentee_profiles (
  user_id uuid primary key references public.profiles (id) on delete cascade,
  languages text[] not null default '{en}',
  timezone text not null default 'UTC' check (public.is_valid_timezone(timezone)),
  updated_at timestamptz not null default now()
);

create table public.mentee_goals (
  mentee_id uuid not null references public.mentee_profiles (user_id) on delete cascade,
  skill_id bigint not null references public.skills (id) on delete cascade,
  current_level smallint not null default 0 check (current_level between 0 and 4),
  target_level smallint not null check (target_level between 1 and 5),
  primary key (mentee_id, skill_id),
  constraint mentee_goal_is_a_step_up check (target_level > current_level)
);

-- Weekly windows in the owner's timezone (mentor_profiles / mentee_profiles.timezone); 0 = Monday.
create table public.availability_windows (
  id bigint generated always as identity primary key,
  user_id uuid not null references public.profiles (id) on delete cascade,
  weekday smallint not null check (weekday between 0 and 6),
  start_minute smallint not null check (start_minute between 0 and 1439),
  end_minute smallint not null check (end_minute between 1 and 1440),
  constraint availability_window_forward check (end_minute > start_minute)
);
create index availability_windows_user_idx on public.availability_windows (user_id);

-- Each profile's weekly availability as UTC minute-of-week ranges (0 = Monday 00:00 UTC), kept by triggers,
-- so candidate ranking can count overlaps in SQL. Computed with the offsets of the current week.
alter table public.mentor_profiles add column week_utc int4multirange not null default '{}';
alter table public.mentee_profiles add column week_utc int4multirange not null default '{}';

create or replace function public.utc_week_of(p_user_id uuid, p_tz text) returns int4multirange
language sql stable set search_path = ''
as $$
  with w as (
    select (((floor(extract(epoch from (
              ((date_trunc('week', now() at time zone p_tz))::date + w.weekday
                + make_interval(mins => w.start_minute)) at time zone p_tz
              - date_trunc('week', now() at time zone 'UTC') at time zone 'UTC')) / 60))::integer % 10080) + 10080) % 10080
             as s,
           w.end_minute - w.start_minute as len
      from public.availability_windows w where w.user_id = p_user_id
  ), parts as (
    select int4range(s, least(s + len, 10080)) as r from w
    union all
    select int4range(0, s + len - 10080) from w where s + len > 10080
  )
  select coalesce(range_agg(r), '{}'::int4multirange) from parts
$$;

create or replace function public.refresh_week_utc(p_user_id uuid) returns void
language sql security definer set search_path = ''
as $$
  update public.mentor_profiles set week_utc = public.utc_week_of(user_id, timezone) where user_id = p_user_id;
  update public.mentee_profiles set week_utc = public.utc_week_of(user_id, timezone) where user_id = p_user_id;
$$;

create or replace function public.availability_changed() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform public.refresh_week_utc(coalesce(new.user_id, old.user_id));
  return null;
end;
$$;
create trigger availability_changed after insert or update or delete on public.availability_windows
  for each row execute function public.availability_changed();

create or replace function public.profile_week_utc() returns trigger
language plpgsql set search_path = ''
as $$
begin
  new.week_utc := public.utc_week_of(new.user_id, new.timezone);
  return new;
end;
$$;
create trigger mentor_week_utc before insert or update of timezone on public.mentor_profiles
  for each row execute function public.profile_week_utc();
create trigger mentee_week_utc before insert or update of timezone on public.mentee_profiles
  for each row execute function public.profile_week_utc();

alter table public.mentor_profiles enable row level security;
alter table public.mentor_skills enable row level security;
alter table public.mentee_profiles enable row level security;
alter table public.mentee_goals enable row level security;
alter table public.availability_windows enable row level security;

create policy "Signed-in users can read mentor profiles" on public.mentor_profiles for select to authenticated using (true);
create policy "Users can create their own mentor profile" on public.mentor_profiles for insert to authenticated
  with check ((select auth.uid()) = user_id and active_mentees = 0);
create policy "Mentors can update their own mentor profile" on public.mentor_profiles for update to authenticated
  using ((select auth.uid()) = user_id) with check ((select auth.uid()) = user_id);
-- active_mentees belongs to the mentorship functions: a column revoke would not beat Supabase's table-wide
-- default grant, so the table grant goes and the editable columns are granted back one by one.
revoke update on public.mentor_profiles from anon, authenticated;
grant update (accepting, capacity, years_experience, languages, timezone, updated_at) on public.mentor_profiles
  to authenticated;

create policy "Signed-in users can read mentor skills" on public.mentor_skills for select to authenticated using (true);
create policy "Mentors can add their own skills" on public.mentor_skills for insert to authenticated
  with check ((select auth.uid()) = mentor_id);
create policy "Mentors can change their own skills" on public.mentor_skills for update to authenticated
  using ((select auth.uid()) = mentor_id) with check ((select auth.uid()) = mentor_id);
create policy "Mentors can remove their own skills" on public.mentor_skills for delete to authenticated
  using ((select auth.uid()) = mentor_id);

create policy "Mentees can read their own mentee profile" on public.mentee_profiles for select to authenticated
  using ((select auth.uid()) = user_id);
create policy "Mentees can create their own mentee profile" on public.mentee_profiles for insert to authenticated
  with check ((select auth.uid()) = user_id);
create policy "Mentees can update their own mentee profile" on public.mentee_profiles for update to authenticated
  using ((select auth.uid()) = user_id) with check ((select auth.uid()) = user_id);

create policy "Mentees can read their own goals" on public.mentee_goals for select to authenticated
  using ((select auth.uid()) = mentee_id);
create policy "Mentees can add their own goals" on public.mentee_goals for insert to authenticated
  with check ((select auth.uid()) = mentee_id);
create policy "Mentees can change their own goals" on public.mentee_goals for update to authenticated
  using ((select auth.uid()) = mentee_id) with check ((select auth.uid()) = mentee_id);
create policy "Mentees can remove their own goals" on public.mentee_goals for delete to authenticated
  using ((select auth.uid()) = mentee_id);

-- A mentor's availability is public (recommendations explain overlaps); anyone else's is private.
create policy "Signed-in users can read mentors' availability and their own" on public.availability_windows
  for select to authenticated
  using ((select auth.uid()) = user_id or exists (select 1 from public.mentor_profiles m where m.user_id = availability_windows.user_id));
create policy "Users can add their own availability" on public.availability_windows for insert to authenticated
  with check ((select auth.uid()) = user_id);
create policy "Users can remove their own availability" on public.availability_windows for delete to authenticated
  using ((select auth.uid()) = user_id);

-- Mentorships ---------------------------------------------------------------------------------------------
create type public.mentorship_status as enum ('requested', 'active', 'declined', 'expired', 'withdrawn', 'ended');

create table public.mentorships (
  id uuid primary key default gen_random_uuid(),
  mentor_id uuid not null references public.mentor_profiles (user_id) on delete cascade,
  mentee_id uuid not null references public.profiles (id) on delete cascade,
  status public.mentorship_status not null default 'requested',
  message text not null default '' check (char_length(message) <= 2000),
  expires_at timestamptz,
  responded_at timestamptz,
  ended_at timestamptz,
  ended_by uuid,
  cohort_run_id uuid,
  created_at timestamptz not null default now(),
  constraint mentorship_not_self check (mentor_id <> mentee_id)
);
create unique index mentorships_one_open_per_pair on public.mentorships (mentor_id, mentee_id)
  where status in ('requested', 'active');
create index mentorships_mentor_idx on public.mentorships (mentor_id, status);
create index mentorships_mentee_idx on public.mentorships (mentee_id, status);
create index mentorships_expiry_idx on public.mentorships (expires_at) where status = 'requested';

alter table public.mentorships enable row level security;
create policy "Mentors and mentees can read their mentorships" on public.mentorships for select to authenticated
  using ((select auth.uid()) = mentor_id or (select auth.uid()) = mentee_id);
revoke insert, update, delete on public.mentorships from anon, authenticated;

create or replace function public.request_mentorship(p_mentor_id uuid, p_message text, p_ttl interval default interval '7 days')
returns public.mentorships
language plpgsql security definer set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
  m public.mentor_profiles;
  r public.mentorships;
begin
  if v_uid is null then
    raise exception using errcode = 'SS401', message = 'sign in first';
  end if;
  select * into m from public.mentor_profiles where user_id = p_mentor_id;
  if not found then
    raise exception using errcode = 'SS404', message = 'mentor not found', column = 'mentor_id';
  end if;
  if p_mentor_id = v_uid then
    raise exception using errcode = 'SS422', message = 'you cannot mentor yourself', column = 'mentor_id';
  end if;
  if not m.accepting or m.active_mentees >= m.capacity then
    raise exception using errcode = 'SS409', message = 'this mentor is not taking mentees now', column = 'mentor_id';
  end if;
  if exists (select 1 from public.mentorships where mentor_id = p_mentor_id and mentee_id = v_uid
             and status in ('requested', 'active')) then
    raise exception using errcode = 'SS409', message = 'you already asked this mentor', column = 'mentor_id';
  end if;
  insert into public.mentorships (mentor_id, mentee_id, message, expires_at)
  values (p_mentor_id, v_uid, coalesce(p_message, ''),
          now() + least(greatest(p_ttl, interval '1 hour'), interval '30 days')) returning * into r;
  perform public.enqueue_event('mentorship_requested', p_mentor_id, null, null,
    jsonb_build_object('mentorship_id', r.id, 'mentee_id', v_uid));
  return r;
end;
$$;

-- The mentor answers; acceptance takes a place under the mentor row's lock, never beyond capacity.
create or replace function public.respond_mentorship(p_mentorship_id uuid, p_accept boolean) returns public.mentorships
language plpgsql security definer set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
  r public.mentorships;
  m public.mentor_profiles;
begin
  select * into r from public.mentorships where id = p_mentorship_id and mentor_id = v_uid;
  if not found then
    raise exception using errcode = 'SS404', message = 'request not found', column = 'mentorship_id';
  end if;
  select * into m from public.mentor_profiles where user_id = r.mentor_id for update;
  select * into r from public.mentorships where id = p_mentorship_id for update;
  if r.status <> 'requested' or r.expires_at <= now() then
    raise exception using errcode = 'SS409', message = 'this request is no longer open', column = 'mentorship_id';
  end if;
  if p_accept then
    if m.active_mentees >= m.capacity then
      raise exception using errcode = 'SS409', message = 'you are at capacity', column = 'mentorship_id';
    end if;
    update public.mentor_profiles set active_mentees = active_mentees + 1 where user_id = m.user_id;
    update public.mentorships set status = 'active', responded_at = now() where id = r.id returning * into r;
    perform public.enqueue_event('mentorship_accepted', r.mentee_id, null, null, jsonb_build_object('mentorship_id', r.id));
  else
    update public.mentorships set status = 'declined', responded_at = now() where id = r.id returning * into r;
    perform public.enqueue_event('mentorship_declined', r.mentee_id, null, null, jsonb_build_object('mentorship_id', r.id));
  end if;
  return r;
end;
$$;

-- Either side ends an active mentorship (or the mentee withdraws a request).
create or replace function public.end_mentorship(p_mentorship_id uuid) returns public.mentorships
language plpgsql security definer set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
  r public.mentorships;
begin
  select * into r from public.mentorships where id = p_mentorship_id and v_uid in (mentor_id, mentee_id);
  if not found then
    raise exception using errcode = 'SS404', message = 'mentorship not found', column = 'mentorship_id';
  end if;
  perform 1 from public.mentor_profiles where user_id = r.mentor_id for update;
  select * into r from public.mentorships where id = p_mentorship_id for update;
  if r.status = 'active' then
    update public.mentor_profiles set active_mentees = active_mentees - 1 where user_id = r.mentor_id;
    update public.mentorships set status = 'ended', ended_at = now(), ended_by = v_uid where id = r.id returning * into r;
  elsif r.status = 'requested' and v_uid = r.mentee_id then
    update public.mentorships set status = 'withdrawn', ended_at = now(), ended_by = v_uid where id = r.id returning * into r;
  else
    raise exception using errcode = 'SS409', message = format('a %s mentorship cannot be ended', r.status),
      column = 'mentorship_id';
  end if;
  return r;
end;
$$;

create or replace function public.expire_mentorship_requests() returns integer
language sql security definer set search_path = ''
as $$
  with gone as (
    update public.mentorships set status = 'expired' where status = 'requested' and expires_at <= now() returning 1
  ) select count(*)::integer from gone
$$;

-- Cohort programs ----------------------------------------------------------------------------------------
create table public.programs (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(name) between 1 and 140),
  created_by uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now()
);
create table public.program_members (
  program_id uuid not null references public.programs (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  role text not null check (role in ('mentor', 'mentee')),
  primary key (program_id, user_id, role)
);
create index program_members_user_idx on public.program_members (user_id);
create table public.cohort_runs (
  id uuid primary key default gen_random_uuid(),
  program_id uuid not null references public.programs (id) on delete cascade,
  status text not null default 'proposed' check (status in ('proposed', 'confirmed', 'discarded')),
  total_score double precision not null,
  solver text not null,
  solve_ms integer not null,
  created_by uuid,
  created_at timestamptz not null default now(),
  confirmed_at timestamptz
);
create table public.proposed_matches (
  run_id uuid not null references public.cohort_runs (id) on delete cascade,
  mentee_id uuid not null references public.profiles (id) on delete cascade,
  mentor_id uuid not null references public.mentor_profiles (user_id) on delete cascade,
  score double precision not null,
  explanation jsonb not null default '{}'::jsonb,
  primary key (run_id, mentee_id)
);
create index proposed_matches_mentor_idx on public.proposed_matches (run_id, mentor_id);
create table public.unmatched_mentees (
  run_id uuid not null references public.cohort_runs (id) on delete cascade,
  mentee_id uuid not null references public.profiles (id) on delete cascade,
  reason text not null,
  primary key (run_id, mentee_id)
);

alter table public.programs enable row level security;
alter table public.program_members enable row level security;
alter table public.cohort_runs enable row level security;
alter table public.proposed_matches enable row level security;
alter table public.unmatched_mentees enable row level security;
create policy "Admins and members can read programs" on public.programs for select to authenticated
  using ((select public.is_platform_admin()) or exists (select 1 from public.program_members pm
         where pm.program_id = programs.id and pm.user_id = (select auth.uid())));
create policy "Admins manage programs" on public.programs for all to authenticated
  using ((select public.is_platform_admin())) with check ((select public.is_platform_admin()));
create policy "Admins and the member can read memberships" on public.program_members for select to authenticated
  using ((select public.is_platform_admin()) or user_id = (select auth.uid()));
create policy "Admins manage program members" on public.program_members for all to authenticated
  using ((select public.is_platform_admin())) with check ((select public.is_platform_admin()));
create policy "Admins read cohort runs" on public.cohort_runs for select to authenticated
  using ((select public.is_platform_admin()));
create policy "Admins read proposed matches" on public.proposed_matches for select to authenticated
  using ((select public.is_platform_admin()));
create policy "Admins read unmatched mentees" on public.unmatched_mentees for select to authenticated
  using ((select public.is_platform_admin()));

-- Confirming a proposal makes each match an active mentorship, still within capacity (checked under lock).
create or replace function public.confirm_cohort_run(p_run_id uuid) returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  run public.cohort_runs;
  pm record;
  n integer := 0;
begin
  if not public.is_platform_admin() then
    raise exception using errcode = 'SS403', message = 'only platform admins confirm cohort matches';
  end if;
  select * into run from public.cohort_runs where id = p_run_id for update;
  if not found then
    raise exception using errcode = 'SS404', message = 'cohort run not found', column = 'run_id';
  end if;
  if run.status <> 'proposed' then
    raise exception using errcode = 'SS409', message = format('this run is %s', run.status), column = 'run_id';
  end if;
  for pm in select * from public.proposed_matches where run_id = p_run_id order by mentor_id loop
    perform 1 from public.mentor_profiles where user_id = pm.mentor_id and active_mentees < capacity for update;
    if not found then
      raise exception using errcode = 'SS409', column = 'run_id',
        message = 'a mentor in this proposal has no place left any more; run the matching again';
    end if;
    update public.mentor_profiles set active_mentees = active_mentees + 1 where user_id = pm.mentor_id;
    insert into public.mentorships (mentor_id, mentee_id, status, message, responded_at, cohort_run_id)
    values (pm.mentor_id, pm.mentee_id, 'active', 'Matched in cohort', now(), p_run_id);
    perform public.enqueue_event('mentorship_accepted', pm.mentee_id, null, null, jsonb_build_object('cohort_run_id', p_run_id));
    n := n + 1;
  end loop;
  update public.cohort_runs set status = 'confirmed', confirmed_at = now() where id = p_run_id;
  return n;
end;
$$;

revoke execute on function public.request_mentorship(uuid, text, interval), public.respond_mentorship(uuid, boolean),
  public.end_mentorship(uuid), public.expire_mentorship_requests(), public.confirm_cohort_run(uuid)
  from public, anon;
revoke execute on function public.expire_mentorship_requests() from authenticated;
grant execute on function public.expire_mentorship_requests() to service_role;
