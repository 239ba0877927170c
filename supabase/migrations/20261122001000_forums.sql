-- Community forums, served by Supabase under RLS (the web client reads and writes these directly): categories
-- per skill, threads and replies, one vote per user per post, an accepted answer chosen by the thread's author,
-- an edit window and soft deletes for authors, hiding and locking for moderators (app_metadata.role), counts
-- kept by triggers, and a ranked full-text search RPC.

create or replace function public.is_moderator() returns boolean
language sql stable set search_path = ''
as $$ select coalesce((select auth.jwt()) -> 'app_metadata' ->> 'role', '') in ('moderator', 'admin') $$;

-- array_to_string is only marked stable (it can format any element type); for text[] it is immutable.
create or replace function public.tags_text(p_tags text[]) returns text
language sql immutable parallel safe set search_path = ''
as $$ select array_to_string(p_tags, ' ') $$;

create table public.forum_categories (
  id bigint generated always as identity primary key,
  slug text not null unique check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  name text not null check (char_length(name) between 1 and 80),
  description text not null default '',
  skill_id bigint references public.skills (id) on delete set null
);
create index forum_categories_skill_idx on public.forum_categories (skill_id);
alter table public.forum_categories enable row level security;
create policy "Anyone can read forum categories" on public.forum_categories for select to anon, authenticated
  using (true);

create table public.forum_threads (
  id uuid primary key default gen_random_uuid(),
  category_id bigint not null references public.forum_categories (id) on delete cascade,
  author_id uuid references public.profiles (id) on delete set null default auth.uid(),
  title text not null check (char_length(title) between 3 and 200),
  body text not null check (char_length(body) between 1 and 20000),
  tags text[] not null default '{}' check (cardinality(tags) <= 10),
  created_at timestamptz not null default now(),
  edited_at timestamptz,
  deleted_at timestamptz,
  hidden_at timestamptz,
  locked_at timestamptz,
  accepted_reply_id uuid,
  reply_count integer not null default 0,
  vote_score integer not null default 0,
  search tsvector generated always as (
    setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body), 'B')
    || setweight(to_tsvector('simple', public.tags_text(tags)), 'C')
  ) stored
);
create index forum_threads_list_idx on public.forum_threads (category_id, created_at desc)
  where deleted_at is null and hidden_at is null;
create index forum_threads_author_idx on public.forum_threads (author_id);
create index forum_threads_search_idx on public.forum_threads using gin (search);
create index forum_threads_tags_idx on public.forum_threads using gin (tags);

create table public.forum_replies (
  id uuid primary key default gen_random_uuid(),
  thread_id uuid not null references public.forum_threads (id) on delete cascade,
  author_id uuid references public.profiles (id) on delete set null default auth.uid(),
  body text not null check (char_length(body) between 1 and 20000),
  created_at timestamptz not null default now(),
  edited_at timestamptz,
  deleted_at timestamptz,
  hidden_at timestamptz,
  vote_score integer not null default 0
);
create index forum_replies_thread_idx on public.forum_replies (thread_id, created_at);
create index forum_replies_author_idx on public.forum_replies (author_id);
alter table public.forum_threads
  add constraint forum_threads_accepted_fk foreign key (accepted_reply_id) references public.forum_replies (id)
  on delete set null;

create table public.forum_votes (
  post_id uuid not null,
  post_kind text not null check (post_kind in ('thread', 'reply')),
  user_id uuid not null references public.profiles (id) on delete cascade default auth.uid(),
  value smallint not null check (value in (-1, 1)),
  created_at timestamptz not null default now(),
  primary key (post_kind, post_id, user_id)
);
create index forum_votes_user_idx on public.forum_votes (user_id);

-- Answer counts per member (accepted answers), kept by trigger.
create table public.forum_member_stats (
  user_id uuid primary key references public.profiles (id) on delete cascade,
  threads integer not null default 0,
  replies integer not null default 0,
  accepted_answers integer not null default 0
);

alter table public.forum_threads enable row level security;
alter table public.forum_replies enable row level security;
alter table public.forum_votes enable row level security;
alter table public.forum_member_stats enable row level security;

-- Clients write only content columns; counts, moderation and deletion marks belong to triggers and functions.
revoke insert, update, delete on public.forum_threads, public.forum_replies from anon, authenticated;
grant insert (id, category_id, title, body, tags) on public.forum_threads to authenticated;
grant update (title, body, tags) on public.forum_threads to authenticated;
grant insert (id, thread_id, body) on public.forum_replies to authenticated;
grant update (body) on public.forum_replies to authenticated;
revoke insert, update, delete on public.forum_member_stats from anon, authenticated;

create policy "Anyone can read visible threads" on public.forum_threads for select to anon, authenticated
  using (deleted_at is null and hidden_at is null);
create policy "Authors and moderators can read hidden or deleted threads" on public.forum_threads for select
  to authenticated using (author_id = (select auth.uid()) or (select public.is_moderator()));
create policy "Members can start threads" on public.forum_threads for insert to authenticated
  with check (author_id = (select auth.uid()));
create policy "Authors can edit their threads within an hour" on public.forum_threads for update to authenticated
  using (author_id = (select auth.uid()) and created_at > now() - interval '1 hour' and deleted_at is null
         and locked_at is null)
  with check (author_id = (select auth.uid()));

create policy "Anyone can read visible replies of visible threads" on public.forum_replies for select
  to anon, authenticated
  using (deleted_at is null and hidden_at is null
         and exists (select 1 from public.forum_threads t where t.id = thread_id));
create policy "Authors and moderators can read hidden or deleted replies" on public.forum_replies for select
  to authenticated using (author_id = (select auth.uid()) or (select public.is_moderator()));
create policy "Members can reply to open threads" on public.forum_replies for insert to authenticated
  with check (author_id = (select auth.uid())
              and exists (select 1 from public.forum_threads t where t.id = thread_id and t.locked_at is null
                          and t.deleted_at is null and t.hidden_at is null));
create policy "Authors can edit their replies within an hour" on public.forum_replies for update to authenticated
  using (author_id = (select auth.uid()) and created_at > now() - interval '1 hour' and deleted_at is null)
  with check (author_id = (select auth.uid()));

create policy "Members read their own votes" on public.forum_votes for select to authenticated
  using (user_id = (select auth.uid()));
create policy "Members vote once per post, not on their own" on public.forum_votes for insert to authenticated
  with check (user_id = (select auth.uid()) and not exists (
    select 1 from public.forum_threads t where post_kind = 'thread' and t.id = post_id and t.author_id = user_id
    union all
    select 1 from public.forum_replies r where post_kind = 'reply' and r.id = post_id and r.author_id = user_id));
create policy "Members change their own votes" on public.forum_votes for update to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy "Members withdraw their own votes" on public.forum_votes for delete to authenticated
  using (user_id = (select auth.uid()));

create policy "Anyone signed in can read member stats" on public.forum_member_stats for select to authenticated
  using (true);

-- Counts ------------------------------------------------------------------------------------------------
create or replace function public.forum_bump_stats(p_user uuid, p_threads integer, p_replies integer, p_accepted integer)
returns void
language sql security definer set search_path = ''
as $$
  insert into public.forum_member_stats as s (user_id, threads, replies, accepted_answers)
  select p_user, greatest(p_threads, 0), greatest(p_replies, 0), greatest(p_accepted, 0) where p_user is not null
  on conflict (user_id) do update set threads = s.threads + p_threads, replies = s.replies + p_replies,
    accepted_answers = s.accepted_answers + p_accepted
$$;

create or replace function public.forum_threads_counts() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform public.forum_bump_stats(new.author_id, 1, 0, 0);
  elsif new.accepted_reply_id is distinct from old.accepted_reply_id then
    if old.accepted_reply_id is not null then
      perform public.forum_bump_stats((select author_id from public.forum_replies where id = old.accepted_reply_id), 0, 0, -1);
    end if;
    if new.accepted_reply_id is not null then
      perform public.forum_bump_stats((select author_id from public.forum_replies where id = new.accepted_reply_id), 0, 0, 1);
    end if;
  end if;
  return null;
end;
$$;
create trigger forum_threads_counts after insert or update of accepted_reply_id on public.forum_threads
  for each row execute function public.forum_threads_counts();

create or replace function public.forum_replies_counts() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  delta integer;
begin
  if tg_op = 'INSERT' then
    delta := 1;
  elsif (old.deleted_at is null and old.hidden_at is null) and (new.deleted_at is not null or new.hidden_at is not null) then
    delta := -1;
  elsif (old.deleted_at is not null or old.hidden_at is not null) and (new.deleted_at is null and new.hidden_at is null) then
    delta := 1;
  else
    return null;
  end if;
  update public.forum_threads set reply_count = reply_count + delta where id = new.thread_id;
  if tg_op = 'INSERT' then
    perform public.forum_bump_stats(new.author_id, 0, 1, 0);
  end if;
  return null;
end;
$$;
create trigger forum_replies_counts after insert or update of deleted_at, hidden_at on public.forum_replies
  for each row execute function public.forum_replies_counts();

create or replace function public.forum_votes_counts() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_kind text := coalesce(new.post_kind, old.post_kind);
  v_post uuid := coalesce(new.post_id, old.post_id);
  delta integer := coalesce(case when tg_op <> 'DELETE' then new.value end, 0)
                   - coalesce(case when tg_op <> 'INSERT' then old.value end, 0);
begin
  if v_kind = 'thread' then
    update public.forum_threads set vote_score = vote_score + delta where id = v_post;
  else
    update public.forum_replies set vote_score = vote_score + delta where id = v_post;
  end if;
  return null;
end;
$$;
create trigger forum_votes_counts after insert or update or delete on public.forum_votes
  for each row execute function public.forum_votes_counts();

-- Author and moderator actions (security definer: they change columns clients cannot) -----------------------
create or replace function public.accept_answer(p_thread_id uuid, p_reply_id uuid) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if not exists (select 1 from public.forum_threads where id = p_thread_id and author_id = (select auth.uid())
                 and deleted_at is null) then
    raise exception using errcode = 'SS403', message = 'only the thread''s author accepts an answer';
  end if;
  if p_reply_id is not null and not exists (
       select 1 from public.forum_replies where id = p_reply_id and thread_id = p_thread_id
       and deleted_at is null and hidden_at is null) then
    raise exception using errcode = 'SS422', message = 'that reply is not in this thread', column = 'reply_id';
  end if;
  update public.forum_threads set accepted_reply_id = p_reply_id where id = p_thread_id;
end;
$$;

create or replace function public.delete_own_post(p_kind text, p_post_id uuid) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  n integer;
begin
  if p_kind = 'thread' then
    update public.forum_threads set deleted_at = now()
      where id = p_post_id and author_id = (select auth.uid()) and deleted_at is null;
  elsif p_kind = 'reply' then
    update public.forum_replies set deleted_at = now()
      where id = p_post_id and author_id = (select auth.uid()) and deleted_at is null;
  else
    raise exception using errcode = 'SS422', message = 'kind is thread or reply', column = 'kind';
  end if;
  get diagnostics n = row_count;
  if n = 0 then
    raise exception using errcode = 'SS404', message = 'no post of yours to delete', column = 'post_id';
  end if;
end;
$$;

create or replace function public.moderate_post(p_kind text, p_post_id uuid, p_hidden boolean) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if not public.is_moderator() then
    raise exception using errcode = 'SS403', message = 'only moderators hide posts';
  end if;
  if p_kind = 'thread' then
    update public.forum_threads set hidden_at = case when p_hidden then now() end where id = p_post_id;
  elsif p_kind = 'reply' then
    update public.forum_replies set hidden_at = case when p_hidden then now() end where id = p_post_id;
  else
    raise exception using errcode = 'SS422', message = 'kind is thread or reply', column = 'kind';
  end if;
end;
$$;

create or replace function public.lock_thread(p_thread_id uuid, p_locked boolean) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if not public.is_moderator() then
    raise exception using errcode = 'SS403', message = 'only moderators lock threads';
  end if;
  update public.forum_threads set locked_at = case when p_locked then now() end where id = p_thread_id;
end;
$$;

-- Ranked search over public (not deleted, not hidden) threads. Security definer on purpose: under RLS the
-- full-text match `@@` (not leakproof) cannot be pushed into the GIN index ahead of the policy, so PostgreSQL
-- would scan every thread; the function applies the public visibility rule itself (tested with EXPLAIN).
create or replace function public.search_threads(p_query text, p_category_id bigint default null, p_limit integer default 20)
returns table (id uuid, category_id bigint, title text, created_at timestamptz, reply_count integer,
               vote_score integer, answered boolean, rank real)
language sql stable security definer set search_path = ''
as $$
  select t.id, t.category_id, t.title, t.created_at, t.reply_count, t.vote_score, t.accepted_reply_id is not null,
         ts_rank_cd(t.search, q) as rank
    from public.forum_threads t, websearch_to_tsquery('english', p_query) q
   where t.search @@ q and (p_category_id is null or t.category_id = p_category_id)
     and t.deleted_at is null and t.hidden_at is null
   order by rank desc, t.created_at desc
   limit least(greatest(p_limit, 1), 100)
$$;

revoke execute on function public.forum_bump_stats(uuid, integer, integer, integer), public.forum_threads_counts(),
  public.forum_replies_counts(), public.forum_votes_counts() from public, anon, authenticated;
revoke execute on function public.accept_answer(uuid, uuid), public.delete_own_post(text, uuid),
  public.moderate_post(text, uuid, boolean), public.lock_thread(uuid, boolean) from public, anon;
grant execute on function public.accept_answer(uuid, uuid), public.delete_own_post(text, uuid),
  public.moderate_post(text, uuid, boolean), public.lock_thread(uuid, boolean) to authenticated;
grant execute on function public.search_threads(text, bigint, integer) to anon, authenticated;
