-- Recommendation read model: one row per (open mentor, skill) carrying everything candidate ranking needs
-- (level, languages, UTC week, average rating, share of places left), so ranking is one index-only scan per goal
-- with no per-candidate lookups. Only mentors who accept mentees and have a place left have rows. Kept by
-- statement-level triggers on mentor_profiles, mentor_skills and reviews; nobody writes it directly.

create table public.mentor_search (
  mentor_id uuid not null references public.mentor_profiles (user_id) on delete cascade,
  skill_id bigint not null references public.skills (id) on delete cascade,
  level smallint not null,
  languages text[] not null,
  week_utc int4multirange not null,
  rating double precision,
  room double precision not null check (room > 0 and room <= 1),
  primary key (mentor_id, skill_id)
);
comment on table public.mentor_search is
  'Open mentors by skill for recommendations; maintained by refresh_mentor_search() triggers only.';
create index mentor_search_skill_idx on public.mentor_search (skill_id, level)
  include (mentor_id, languages, week_utc, rating, room);

alter table public.mentor_search enable row level security;
create policy "Signed-in users can read open mentors" on public.mentor_search for select to authenticated using (true);
revoke insert, update, delete, truncate on public.mentor_search from anon, authenticated;

-- Rebuilds the rows of the given mentors. Their profile rows are locked first (NO KEY UPDATE: foreign-key
-- checks elsewhere are not blocked), so concurrent refreshes of one mentor run one after the other and each
-- sees the other's committed rows.
create or replace function public.refresh_mentor_search(p_mentor_ids uuid[]) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  perform 1 from public.mentor_profiles where user_id = any(p_mentor_ids) order by user_id for no key update;
  delete from public.mentor_search where mentor_id = any(p_mentor_ids);
  insert into public.mentor_search (mentor_id, skill_id, level, languages, week_utc, rating, room)
  select mp.user_id, ms.skill_id, ms.level, mp.languages, mp.week_utc,
         (select avg(rv.rating)::double precision from public.reviews rv where rv.host_id = mp.user_id),
         (mp.capacity - mp.active_mentees)::double precision / mp.capacity
    from public.mentor_profiles mp
    join public.mentor_skills ms on ms.mentor_id = mp.user_id
   where mp.user_id = any(p_mentor_ids) and mp.accepting and mp.active_mentees < mp.capacity;
end;
$$;
revoke execute on function public.refresh_mentor_search(uuid[]) from public, anon, authenticated;

-- One trigger function for the three tables: the mentors named by the changed rows (old and new ones on an
-- update, so a row moved between mentors refreshes both) are rebuilt. Reviews count only for mentors.
create or replace function public.mentor_search_sync() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_ids uuid[];
begin
  if tg_table_name = 'mentor_profiles' then
    v_ids := array(select user_id from changed);
  elsif tg_table_name = 'mentor_skills' and tg_op = 'UPDATE' then
    v_ids := array(select mentor_id from changed union select mentor_id from previous);
  elsif tg_table_name = 'mentor_skills' then
    v_ids := array(select mentor_id from changed);
  elsif tg_op = 'UPDATE' then
    v_ids := array(select host_id from changed union select host_id from previous);
  else
    v_ids := array(select host_id from changed);
  end if;
  perform public.refresh_mentor_search(array(select distinct unnest(v_ids)));
  return null;
end;
$$;

-- Transition tables allow one event per trigger, hence a trigger per event.
create trigger mentor_profiles_search_ins after insert on public.mentor_profiles
  referencing new table as changed for each statement execute function public.mentor_search_sync();
create trigger mentor_profiles_search_upd after update on public.mentor_profiles
  referencing new table as changed for each statement execute function public.mentor_search_sync();

create trigger mentor_skills_search_ins after insert on public.mentor_skills
  referencing new table as changed for each statement execute function public.mentor_search_sync();
create trigger mentor_skills_search_upd after update on public.mentor_skills
  referencing old table as previous new table as changed for each statement
  execute function public.mentor_search_sync();
create trigger mentor_skills_search_del after delete on public.mentor_skills
  referencing old table as changed for each statement execute function public.mentor_search_sync();

create trigger reviews_search_ins after insert on public.reviews
  referencing new table as changed for each statement execute function public.mentor_search_sync();
create trigger reviews_search_upd after update on public.reviews
  referencing old table as previous new table as changed for each statement
  execute function public.mentor_search_sync();
create trigger reviews_search_del after delete on public.reviews
  referencing old table as changed for each statement execute function public.mentor_search_sync();

-- Mentors who existed before this migration.
select public.refresh_mentor_search(array(select user_id from public.mentor_profiles));
