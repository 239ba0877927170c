-- Skill assessment and progress, served by Supabase under RLS: self-assessments, expert assessments (only by
-- the host of a finished session the learner attended), learning goals, and a progress timeline per user and
-- skill. Owners see their own; an expert sees a learner's progress only where the learner shared it with them.

create table public.progress_shares (
  learner_id uuid not null references public.profiles (id) on delete cascade default auth.uid(),
  expert_id uuid not null references public.profiles (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (learner_id, expert_id)
);
create index progress_shares_expert_idx on public.progress_shares (expert_id);

-- Whether the caller may read this learner's progress: the learner, or an expert they shared it with.
create or replace function public.can_read_progress(p_learner uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select p_learner = (select auth.uid())
      or exists (select 1 from public.progress_shares s where s.learner_id = p_learner and s.expert_id = (select auth.uid()))
$$;

create table public.self_assessments (
  id bigint generated always as identity primary key,
  user_id uuid not null references public.profiles (id) on delete cascade default auth.uid(),
  skill_id bigint not null references public.skills (id) on delete cascade,
  level smallint not null check (level between 1 and 5),
  note text not null default '' check (char_length(note) <= 2000),
  assessed_on date not null default current_date
);
create index self_assessments_user_skill_idx on public.self_assessments (user_id, skill_id, assessed_on desc);

create table public.expert_assessments (
  id bigint generated always as identity primary key,
  learner_id uuid not null references public.profiles (id) on delete cascade,
  expert_id uuid not null references public.profiles (id) on delete cascade default auth.uid(),
  session_id uuid not null references public.sessions (id) on delete cascade,
  skill_id bigint not null references public.skills (id) on delete cascade,
  level smallint not null check (level between 1 and 5),
  note text not null default '' check (char_length(note) <= 2000),
  assessed_on date not null default current_date,
  unique (session_id, learner_id, skill_id)
);
create index expert_assessments_learner_skill_idx on public.expert_assessments (learner_id, skill_id, assessed_on desc);
create index expert_assessments_expert_idx on public.expert_assessments (expert_id);

create type public.goal_status as enum ('active', 'achieved', 'abandoned');
create table public.learning_goals (
  id bigint generated always as identity primary key,
  user_id uuid not null references public.profiles (id) on delete cascade default auth.uid(),
  skill_id bigint not null references public.skills (id) on delete cascade,
  target_level smallint not null check (target_level between 1 and 5),
  target_date date,
  status public.goal_status not null default 'active',
  created_at timestamptz not null default now()
);
create index learning_goals_user_skill_idx on public.learning_goals (user_id, skill_id);

alter table public.progress_shares enable row level security;
alter table public.self_assessments enable row level security;
alter table public.expert_assessments enable row level security;
alter table public.learning_goals enable row level security;

create policy "Learners and the expert see a share" on public.progress_shares for select to authenticated
  using (learner_id = (select auth.uid()) or expert_id = (select auth.uid()));
-- A learner shares with an expert who hosted a session they booked.
create policy "Learners share their progress with experts they booked" on public.progress_shares for insert
  to authenticated
  with check (learner_id = (select auth.uid()) and exists (
    select 1 from public.bookings b join public.sessions s on s.id = b.session_id
    where b.learner_id = (select auth.uid()) and s.host_id = expert_id));
create policy "Learners stop sharing" on public.progress_shares for delete to authenticated
  using (learner_id = (select auth.uid()));

create policy "Owners and shared experts read self-assessments" on public.self_assessments for select
  to authenticated using ((select public.can_read_progress(user_id)));
create policy "Owners record their self-assessments" on public.self_assessments for insert to authenticated
  with check (user_id = (select auth.uid()));
create policy "Owners change their self-assessments" on public.self_assessments for update to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy "Owners remove their self-assessments" on public.self_assessments for delete to authenticated
  using (user_id = (select auth.uid()));

create policy "Learners, shared experts and the assessing expert read expert assessments"
  on public.expert_assessments for select to authenticated
  using ((select public.can_read_progress(learner_id)) or expert_id = (select auth.uid()));
-- Only the host of a finished session that the learner attended assesses them, for that session. (Columns of
-- the new row are qualified: bare `session_id` would bind to bookings.session_id inside the subquery.)
create policy "Hosts assess learners who attended their finished session" on public.expert_assessments
  for insert to authenticated
  with check (expert_id = (select auth.uid()) and exists (
    select 1 from public.sessions s join public.bookings b on b.session_id = s.id
    where s.id = expert_assessments.session_id and s.host_id = (select auth.uid()) and s.ends_at <= now()
      and b.learner_id = expert_assessments.learner_id and b.status = 'confirmed' and b.attendance = 'attended'));
create policy "Experts correct their own assessments" on public.expert_assessments for update to authenticated
  using (expert_id = (select auth.uid())) with check (expert_id = (select auth.uid()));

create policy "Owners and shared experts read goals" on public.learning_goals for select to authenticated
  using ((select public.can_read_progress(user_id)));
create policy "Owners set goals" on public.learning_goals for insert to authenticated
  with check (user_id = (select auth.uid()));
create policy "Owners update goals" on public.learning_goals for update to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy "Owners remove goals" on public.learning_goals for delete to authenticated
  using (user_id = (select auth.uid()));

-- The timeline per user and skill (security invoker: the policies above decide what each caller sees).
create view public.progress_timeline with (security_invoker = true) as
  select a.user_id, a.skill_id, a.assessed_on::timestamptz as at, 'self_assessment' as kind, a.level, a.note as detail
    from public.self_assessments a
  union all
  select e.learner_id, e.skill_id, e.assessed_on::timestamptz, 'expert_assessment', e.level, e.note
    from public.expert_assessments e
  union all
  select g.user_id, g.skill_id, g.created_at, 'goal_' || g.status::text, g.target_level,
         coalesce('target ' || g.target_date::text, '')
    from public.learning_goals g
  union all
  select b.learner_id, ss.skill_id, s.ends_at, 'session_attended', null::smallint, s.title
    from public.bookings b
    join public.sessions s on s.id = b.session_id
    join public.session_skills ss on ss.session_id = s.id
   where b.status = 'confirmed' and b.attendance = 'attended'
     and (select public.can_read_progress(b.learner_id));

-- Current level per user and skill: the latest assessment (an expert's wins a tie), with the active goal.
create view public.skill_progress with (security_invoker = true) as
  with latest as (
    select distinct on (user_id, skill_id) user_id, skill_id, level, kind, at
      from public.progress_timeline
     where kind in ('self_assessment', 'expert_assessment')
     order by user_id, skill_id, at desc, (kind = 'expert_assessment') desc
  )
  select l.user_id, l.skill_id, l.level as current_level, l.kind as level_source, l.at as assessed_at,
         g.target_level, g.target_date,
         (select count(*) from public.progress_timeline t
           where t.user_id = l.user_id and t.skill_id = l.skill_id and t.kind = 'session_attended') as sessions_attended
    from latest l
    left join public.learning_goals g on g.user_id = l.user_id and g.skill_id = l.skill_id and g.status = 'active';

revoke insert, update, delete on public.progress_timeline, public.skill_progress from anon, authenticated;
revoke execute on function public.can_read_progress(uuid) from public;
-- anon too: it answers false without a user, so anon reading the views gets nothing rather than an error.
grant execute on function public.can_read_progress(uuid) to anon, authenticated, service_role;
