-- Mentorship in use (#14): after acceptance the mentor opens 1:1 sessions reserved for that mentee (only the
-- mentee sees and books them; the meeting link rules of sessions apply unchanged), and the pair has a private
-- message thread (RLS; live on the Realtime topic mentorship:<id>).

-- Reserved 1:1 sessions ------------------------------------------------------------------------------------------
alter table public.sessions
  add column reserved_for uuid references public.profiles (id) on delete cascade,
  add constraint sessions_reserved_one_on_one check (reserved_for is null or format = 'one_on_one'),
  add constraint sessions_reserved_not_self check (reserved_for is distinct from host_id);
create index sessions_reserved_for_idx on public.sessions (reserved_for) where reserved_for is not null;

-- Whether two people are in an active mentorship (mentor, mentee).
create function public.mentors_actively(p_mentor_id uuid, p_mentee_id uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (select 1 from public.mentorships m
                 where m.mentor_id = p_mentor_id and m.mentee_id = p_mentee_id and m.status = 'active')
$$;
revoke execute on function public.mentors_actively(uuid, uuid) from public, anon, authenticated;

create function public.sessions_guard_reservation() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.reserved_for is not null and not public.mentors_actively(new.host_id, new.reserved_for) then
    raise exception using errcode = 'SS409', column = 'reserved_for',
      message = 'a session can be reserved only for a mentee you actively mentor';
  end if;
  return new;
end;
$$;
revoke execute on function public.sessions_guard_reservation() from public, anon, authenticated;
create trigger sessions_guard_reservation before insert or update of reserved_for on public.sessions
  for each row execute function public.sessions_guard_reservation();

-- Everyone else neither sees a reserved session (restrictive: it narrows every other read policy)...
create policy "Reserved sessions are seen only by their host and their mentee"
  on public.sessions as restrictive for select to anon, authenticated
  using (reserved_for is null or (select auth.uid()) in (reserved_for, host_id));

-- ... nor takes its seat, whichever path books it (book_seat runs as its owner, so the check is on the row).
create function public.bookings_guard_reservation() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_reserved uuid;
begin
  select reserved_for into v_reserved from public.sessions where id = new.session_id;
  if v_reserved is not null and v_reserved <> new.learner_id then
    raise exception using errcode = 'SS404', column = 'session_id', message = 'session not found';
  end if;
  return new;
end;
$$;
revoke execute on function public.bookings_guard_reservation() from public, anon, authenticated;
create trigger bookings_guard_reservation before insert on public.bookings
  for each row execute function public.bookings_guard_reservation();

grant insert (reserved_for) on public.sessions to authenticated;

-- The pair's private thread -----------------------------------------------------------------------------------
create function public.is_mentorship_party(p_mentorship_id uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (select 1 from public.mentorships m where m.id = p_mentorship_id
                 and (select auth.uid()) in (m.mentor_id, m.mentee_id) and m.status in ('active', 'ended'))
$$;
create function public.mentorship_is_active(p_mentorship_id uuid) returns boolean
language sql stable security definer set search_path = ''
as $$ select exists (select 1 from public.mentorships m where m.id = p_mentorship_id and m.status = 'active') $$;
revoke execute on function public.is_mentorship_party(uuid), public.mentorship_is_active(uuid) from public, anon;
grant execute on function public.is_mentorship_party(uuid), public.mentorship_is_active(uuid) to authenticated;

create table public.mentorship_messages (
  id bigint generated always as identity primary key,
  mentorship_id uuid not null references public.mentorships (id) on delete cascade,
  author_id uuid not null references public.profiles (id) on delete cascade default auth.uid(),
  body text not null check (char_length(body) between 1 and 4000),
  created_at timestamptz not null default now()
);
create index mentorship_messages_thread_idx on public.mentorship_messages (mentorship_id, id);
alter table public.mentorship_messages enable row level security;
create policy "The pair reads its thread"
  on public.mentorship_messages for select to authenticated
  using ((select public.is_mentorship_party(mentorship_id)));
create policy "The pair writes in its thread while the mentorship is active"
  on public.mentorship_messages for insert to authenticated
  with check ((select auth.uid()) = author_id and (select public.is_mentorship_party(mentorship_id))
              and (select public.mentorship_is_active(mentorship_id)));
grant select on public.mentorship_messages to authenticated, service_role;
grant insert (mentorship_id, body) on public.mentorship_messages to authenticated;

-- As fast as a group chat may be written (write_rate_limits: 'mentorship_message').
update public.platform_settings
  set value = value || '{"mentorship_message": {"max": 30, "window_seconds": 60}}'::jsonb
  where key = 'write_rate_limits';
create trigger mentorship_messages_count_write after insert on public.mentorship_messages
  for each row execute function public.count_write_trigger('mentorship_message');

-- Live: each new message is broadcast on the private topic mentorship:<id>, which only the pair may receive.
create function public.broadcast_mentorship_message() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform realtime.send(
    jsonb_build_object('id', new.id, 'author_id', new.author_id, 'body', new.body, 'created_at', new.created_at),
    'message', 'mentorship:' || new.mentorship_id::text, true);
  return null;
end;
$$;
revoke execute on function public.broadcast_mentorship_message() from public, anon, authenticated;
create trigger broadcast_mentorship_message after insert on public.mentorship_messages
  for each row execute function public.broadcast_mentorship_message();

create policy "The pair receives its thread's messages" on realtime.messages for select to authenticated
  using (extension = 'broadcast' and (select realtime.topic()) = topic
         and (select public.is_mentorship_party(public.topic_uuid(topic, 'mentorship'))));
