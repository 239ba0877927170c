-- One goals model (#14): learning_goals (progress) is where a learner's goals live; matching reads the same rows.
-- A goal is a step up in one skill (from current_level to target_level); a learner has at most one active goal per
-- skill. `mentee_goals` stays as a view of the active goals under the names matching and clients used, writable
-- through it (its writes land in learning_goals), so a goal set on either side is the same goal.

alter table public.learning_goals
  add column current_level smallint not null default 0 check (current_level between 0 and 4),
  add constraint learning_goal_is_a_step_up check (target_level > current_level);

-- One active goal per learner and skill (older duplicates are set aside first).
update public.learning_goals g set status = 'abandoned'
  where g.status = 'active'
    and exists (select 1 from public.learning_goals h where h.user_id = g.user_id and h.skill_id = g.skill_id
                and h.status = 'active' and h.id > g.id);
create unique index learning_goals_one_active_per_skill on public.learning_goals (user_id, skill_id)
  where status = 'active';

-- The mentee goals become learning goals (the matching side knew where the learner starts from).
update public.learning_goals g set current_level = m.current_level, target_level = greatest(g.target_level, m.target_level)
  from public.mentee_goals m
  where g.user_id = m.mentee_id and g.skill_id = m.skill_id and g.status = 'active';
insert into public.learning_goals (user_id, skill_id, current_level, target_level)
  select m.mentee_id, m.skill_id, m.current_level, m.target_level from public.mentee_goals m
  where not exists (select 1 from public.learning_goals g
                    where g.user_id = m.mentee_id and g.skill_id = m.skill_id and g.status = 'active');
drop table public.mentee_goals;

create view public.mentee_goals with (security_invoker = true) as
  select g.user_id as mentee_id, g.skill_id, g.current_level, g.target_level
  from public.learning_goals g
  where g.status = 'active';
comment on view public.mentee_goals is 'The active learning goals, as matching reads them (writes go to learning_goals).';

-- Writes through the view: the caller's own goals only (the view's RLS-filtered rows are all an update or delete
-- can reach); an insert for a skill that already has an active goal moves that goal.
create function public.mentee_goals_write() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_uid uuid := (select auth.uid());
begin
  if tg_op = 'DELETE' then
    update public.learning_goals set status = 'abandoned'
      where user_id = old.mentee_id and skill_id = old.skill_id and status = 'active';
    return old;
  end if;
  if tg_op = 'INSERT' then
    if v_uid is not null and new.mentee_id is distinct from v_uid then
      raise exception using errcode = '42501', message = 'goals are set by their owner';
    end if;
    insert into public.learning_goals as g (user_id, skill_id, current_level, target_level)
    values (new.mentee_id, new.skill_id, coalesce(new.current_level, 0), new.target_level)
    on conflict (user_id, skill_id) where status = 'active'
    do update set current_level = excluded.current_level, target_level = excluded.target_level;
    return new;
  end if;
  update public.learning_goals set current_level = new.current_level, target_level = new.target_level
    where user_id = old.mentee_id and skill_id = old.skill_id and status = 'active';
  return new;
end;
$$;
revoke execute on function public.mentee_goals_write() from public, anon, authenticated;
create trigger mentee_goals_write instead of insert or update or delete on public.mentee_goals
  for each row execute function public.mentee_goals_write();

grant select, delete on public.mentee_goals to authenticated;
grant insert (mentee_id, skill_id, current_level, target_level), update (current_level, target_level)
  on public.mentee_goals to authenticated;
grant select, insert, update, delete on public.mentee_goals to service_role;
grant insert (current_level), update (current_level) on public.learning_goals to authenticated;
