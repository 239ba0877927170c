-- Updates cannot move a row past the rules that admitted it.
--
-- 1. Every UPDATE policy re-checks in WITH CHECK what its INSERT policy checks (targets, ownership, membership,
--    attendance), so whatever a client may change, the row it leaves behind is one it could have inserted.
--    (Column grants already keep owners, targets and timestamps out of reach: post_id, learner_id, session_id,
--    owner_id, created_at are not client-updatable. This is the second wall behind them.)
--    Tables whose UPDATE check differs from their INSERT check on purpose are declared, with the reason, in
--    supabase/tests/database/014-tamper.test.sql, which compares every pair.
alter policy "Experts correct their own assessments" on public.expert_assessments
  with check (expert_id = (select auth.uid()) and exists (
    select 1 from public.sessions s join public.bookings b on b.session_id = s.id
    where s.id = expert_assessments.session_id and s.host_id = (select auth.uid()) and s.ends_at <= now()
      and b.learner_id = expert_assessments.learner_id and b.status = 'confirmed' and b.attendance = 'attended'));

alter policy "Authors can edit their replies within an hour" on public.forum_replies
  with check (author_id = (select auth.uid())
              and exists (select 1 from public.forum_threads t where t.id = thread_id and t.locked_at is null
                          and t.deleted_at is null and t.hidden_at is null));

alter policy "Members change their own votes" on public.forum_votes
  with check (user_id = (select auth.uid()) and not exists (
    select 1 from public.forum_threads t where post_kind = 'thread' and t.id = post_id and t.author_id = user_id
    union all
    select 1 from public.forum_replies r where post_kind = 'reply' and r.id = post_id and r.author_id = user_id));

alter policy "Authors edit their messages" on public.group_messages
  with check (author_id = (select auth.uid()) and (select public.is_group_member(group_id)));

-- 2. Group ownership and roles change only through functions with their own rules. The owner cannot be removed
--    (not by an admin, not by leaving): ownership is handed over first, by the owner, to an active member.
--    Admins remove members; only the owner removes (or demotes) an admin.
create or replace function public.is_group_owner(p_group_id uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (select 1 from public.groups g where g.id = p_group_id and g.owner_id = (select auth.uid()))
$$;
revoke execute on function public.is_group_owner(uuid) from public, anon, service_role;
grant execute on function public.is_group_owner(uuid) to authenticated;

drop policy "Members leave; admins remove" on public.group_members;
create policy "Members leave; admins remove members; the owner removes admins; nobody removes the owner"
  on public.group_members for delete to authenticated
  using (role <> 'owner'
         and (user_id = (select auth.uid())
              or (role = 'member' and (select public.is_group_admin(group_id)))
              or (select public.is_group_owner(group_id))));

create or replace function public.transfer_group_ownership(p_group_id uuid, p_new_owner uuid) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_uid uuid := (select auth.uid());
begin
  if v_uid is null then
    raise exception using errcode = 'SS401', message = 'sign in first';
  end if;
  perform 1 from public.groups where id = p_group_id and owner_id = v_uid for update;
  if not found then
    raise exception using errcode = 'SS403', message = 'only the group''s owner hands over ownership',
      column = 'group_id';
  end if;
  if p_new_owner = v_uid then
    raise exception using errcode = 'SS422', message = 'you already own this group', column = 'new_owner_id';
  end if;
  if not exists (select 1 from public.group_members
                 where group_id = p_group_id and user_id = p_new_owner and status = 'active') then
    raise exception using errcode = 'SS422', message = 'the new owner must be an active member of the group',
      column = 'new_owner_id';
  end if;
  update public.groups set owner_id = p_new_owner where id = p_group_id;
  update public.group_members set role = 'owner' where group_id = p_group_id and user_id = p_new_owner;
  update public.group_members set role = 'admin' where group_id = p_group_id and user_id = v_uid;
end;
$$;
revoke execute on function public.transfer_group_ownership(uuid, uuid) from public, anon, service_role;
grant execute on function public.transfer_group_ownership(uuid, uuid) to authenticated;

create or replace function public.set_group_role(p_group_id uuid, p_user_id uuid, p_role text) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if not public.is_group_owner(p_group_id) then
    raise exception using errcode = 'SS403', message = 'only the group''s owner appoints or demotes admins',
      column = 'group_id';
  end if;
  if p_role not in ('admin', 'member') then
    raise exception using errcode = 'SS422', message = 'role must be admin or member (ownership is handed over)',
      column = 'role';
  end if;
  update public.group_members set role = p_role
   where group_id = p_group_id and user_id = p_user_id and status = 'active' and role <> 'owner';
  if not found then
    raise exception using errcode = 'SS404', message = 'no active member (other than the owner) with that id',
      column = 'user_id';
  end if;
end;
$$;
revoke execute on function public.set_group_role(uuid, uuid, text) from public, anon, service_role;
grant execute on function public.set_group_role(uuid, uuid, text) to authenticated;
