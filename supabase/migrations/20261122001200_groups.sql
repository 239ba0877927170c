-- Groups around skills, served by Supabase under RLS: public or private (joining a private group needs an
-- owner's or admin's approval), messages delivered live on a private Realtime channel only members may join,
-- editable and deletable by their author, fetched since a cursor after a reconnect; shared resources with
-- threaded comments.

create table public.groups (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(name) between 3 and 80),
  description text not null default '' check (char_length(description) <= 2000),
  skill_id bigint references public.skills (id) on delete set null,
  visibility text not null default 'public' check (visibility in ('public', 'private')),
  owner_id uuid not null references public.profiles (id) on delete cascade default auth.uid(),
  created_at timestamptz not null default now()
);
create index groups_skill_idx on public.groups (skill_id);
create index groups_owner_idx on public.groups (owner_id);

create table public.group_members (
  group_id uuid not null references public.groups (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  role text not null default 'member' check (role in ('owner', 'admin', 'member')),
  status text not null default 'active' check (status in ('active', 'pending')),
  joined_at timestamptz not null default now(),
  primary key (group_id, user_id)
);
create index group_members_user_idx on public.group_members (user_id, status);

create or replace function public.is_group_member(p_group_id uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (select 1 from public.group_members m where m.group_id = p_group_id
                 and m.user_id = (select auth.uid()) and m.status = 'active')
$$;

create or replace function public.is_group_admin(p_group_id uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (select 1 from public.group_members m where m.group_id = p_group_id
                 and m.user_id = (select auth.uid()) and m.status = 'active' and m.role in ('owner', 'admin'))
$$;

create or replace function public.groups_add_owner() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  insert into public.group_members (group_id, user_id, role, status) values (new.id, new.owner_id, 'owner', 'active');
  return null;
end;
$$;
create trigger groups_add_owner after insert on public.groups for each row execute function public.groups_add_owner();

create table public.group_messages (
  id bigint generated always as identity primary key,
  group_id uuid not null references public.groups (id) on delete cascade,
  author_id uuid references public.profiles (id) on delete set null default auth.uid(),
  body text not null check (char_length(body) between 1 and 4000),
  created_at timestamptz not null default now(),
  edited_at timestamptz
);
create index group_messages_cursor_idx on public.group_messages (group_id, id);

create table public.group_resources (
  id uuid primary key default gen_random_uuid(),
  group_id uuid not null references public.groups (id) on delete cascade,
  author_id uuid references public.profiles (id) on delete set null default auth.uid(),
  kind text not null check (kind in ('link', 'file')),
  title text not null check (char_length(title) between 1 and 200),
  url text check (url ~ '^https://'),
  file_name text,
  size_bytes bigint check (size_bytes >= 0),
  mime_type text,
  created_at timestamptz not null default now(),
  constraint group_resource_shape check ((kind = 'link' and url is not null) or (kind = 'file' and file_name is not null))
);
create index group_resources_group_idx on public.group_resources (group_id, created_at desc);

create table public.resource_comments (
  id uuid primary key default gen_random_uuid(),
  resource_id uuid not null references public.group_resources (id) on delete cascade,
  parent_id uuid references public.resource_comments (id) on delete cascade,
  author_id uuid references public.profiles (id) on delete set null default auth.uid(),
  body text not null check (char_length(body) between 1 and 4000),
  created_at timestamptz not null default now()
);
create index resource_comments_resource_idx on public.resource_comments (resource_id, created_at);
create index resource_comments_parent_idx on public.resource_comments (parent_id);

alter table public.groups enable row level security;
alter table public.group_members enable row level security;
alter table public.group_messages enable row level security;
alter table public.group_resources enable row level security;
alter table public.resource_comments enable row level security;

revoke insert, update, delete on public.group_members from anon, authenticated;
grant delete on public.group_members to authenticated;
revoke update on public.group_messages from anon, authenticated;
grant update (body) on public.group_messages to authenticated;

create policy "Anyone can read public groups" on public.groups for select to anon, authenticated
  using (visibility = 'public');
create policy "Signed-in users can find private groups to ask to join" on public.groups for select to authenticated
  using (visibility = 'private');
create policy "Members can create groups they own" on public.groups for insert to authenticated
  with check (owner_id = (select auth.uid()));
create policy "Group admins can update their group" on public.groups for update to authenticated
  using ((select public.is_group_admin(id))) with check ((select public.is_group_admin(id)));
create policy "Owners can delete their group" on public.groups for delete to authenticated
  using (owner_id = (select auth.uid()));

create policy "Members see the member list; users see their own requests" on public.group_members for select
  to authenticated using (user_id = (select auth.uid()) or (select public.is_group_member(group_id)));
create policy "Members leave; admins remove" on public.group_members for delete to authenticated
  using (user_id = (select auth.uid()) or (select public.is_group_admin(group_id)));

create policy "Members read their group's messages" on public.group_messages for select to authenticated
  using ((select public.is_group_member(group_id)));
create policy "Members post in their groups" on public.group_messages for insert to authenticated
  with check (author_id = (select auth.uid()) and (select public.is_group_member(group_id)));
create policy "Authors edit their messages" on public.group_messages for update to authenticated
  using (author_id = (select auth.uid())) with check (author_id = (select auth.uid()));
create policy "Authors delete their messages" on public.group_messages for delete to authenticated
  using (author_id = (select auth.uid()));

create policy "Members read shared resources" on public.group_resources for select to authenticated
  using ((select public.is_group_member(group_id)));
create policy "Members share resources" on public.group_resources for insert to authenticated
  with check (author_id = (select auth.uid()) and (select public.is_group_member(group_id)));
create policy "Authors remove their resources" on public.group_resources for delete to authenticated
  using (author_id = (select auth.uid()));

create policy "Members read comments on their group's resources" on public.resource_comments for select
  to authenticated using (exists (select 1 from public.group_resources r where r.id = resource_comments.resource_id));
create policy "Members comment on their group's resources" on public.resource_comments for insert to authenticated
  with check (author_id = (select auth.uid())
              and exists (select 1 from public.group_resources r where r.id = resource_comments.resource_id));
create policy "Authors delete their comments" on public.resource_comments for delete to authenticated
  using (author_id = (select auth.uid()));

-- Joining: a public group at once, a private one on an admin's approval.
create or replace function public.join_group(p_group_id uuid) returns text
language plpgsql security definer set search_path = ''
as $$
declare
  g public.groups;
  v_status text;
begin
  if (select auth.uid()) is null then
    raise exception using errcode = 'SS401', message = 'sign in first';
  end if;
  select * into g from public.groups where id = p_group_id;
  if not found then
    raise exception using errcode = 'SS404', message = 'group not found', column = 'group_id';
  end if;
  v_status := case when g.visibility = 'public' then 'active' else 'pending' end;
  insert into public.group_members (group_id, user_id, status) values (p_group_id, (select auth.uid()), v_status)
  on conflict (group_id, user_id) do nothing;
  return (select status from public.group_members where group_id = p_group_id and user_id = (select auth.uid()));
end;
$$;

create or replace function public.approve_member(p_group_id uuid, p_user_id uuid) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if not public.is_group_admin(p_group_id) then
    raise exception using errcode = 'SS403', message = 'only the group''s owner or admins approve members';
  end if;
  update public.group_members set status = 'active', joined_at = now()
  where group_id = p_group_id and user_id = p_user_id and status = 'pending';
  if not found then
    raise exception using errcode = 'SS404', message = 'no pending request from that user', column = 'user_id';
  end if;
end;
$$;

-- After a reconnect: what arrived since the last message the client saw.
create or replace function public.group_messages_since(p_group_id uuid, p_after_id bigint default 0, p_limit integer default 100)
returns setof public.group_messages
language sql stable security invoker set search_path = ''
as $$
  select * from public.group_messages
   where group_id = p_group_id and id > coalesce(p_after_id, 0)
   order by id
   limit least(greatest(p_limit, 1), 500)
$$;

-- Live delivery: every new, edited or deleted message is broadcast on the group's private topic.
create or replace function public.broadcast_group_message() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  m public.group_messages := coalesce(new, old);
begin
  perform realtime.send(
    jsonb_build_object('op', lower(tg_op), 'id', m.id, 'author_id', m.author_id,
                       'body', case when tg_op = 'DELETE' then null else m.body end, 'created_at', m.created_at),
    'message', 'group:' || m.group_id::text, true);
  return null;
end;
$$;
create trigger broadcast_group_message after insert or update or delete on public.group_messages
  for each row execute function public.broadcast_group_message();

create policy "Members receive their groups' broadcasts" on realtime.messages for select to authenticated
  using (extension = 'broadcast' and (select realtime.topic()) = topic
         and (select public.is_group_member(public.topic_uuid(topic, 'group'))));

revoke execute on function public.groups_add_owner(), public.broadcast_group_message() from public, anon, authenticated;
revoke execute on function public.join_group(uuid), public.approve_member(uuid, uuid) from public, anon;
grant execute on function public.join_group(uuid), public.approve_member(uuid, uuid) to authenticated;
