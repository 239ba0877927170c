-- Notifications for everyone involved (#14): hosts hear of new bookings and cancellations and get reminders of
-- their own sessions; mentors and mentees of requests, answers and expiries; forum authors of replies and accepted
-- answers; group admins of join requests. Every kind is in a catalogue that says who receives it and whether it may
-- be muted; a member mutes a kind with a row in notification_mutes (checked when the message is sent, so muting
-- also stops what is already queued; the host notices are not even queued for a host who muted them).

create table public.notification_kinds (
  kind text primary key check (kind ~ '^[a-z_]{3,40}$'),
  audience text not null check (audience in ('learner', 'host', 'mentor', 'mentee', 'author', 'group_admin', 'buyer')),
  optional boolean not null,
  description text not null
);
comment on table public.notification_kinds is
  'Every email kind: who receives it and whether it may be muted (money and seat changes may not).';
alter table public.notification_kinds enable row level security;
create policy "Anyone can read the notification kinds"
  on public.notification_kinds for select to anon, authenticated using (true);
insert into public.notification_kinds (kind, audience, optional, description) values
  ('booking_confirmed', 'learner', false, 'Your seat is confirmed'),
  ('booking_promoted', 'learner', false, 'A seat opened up and it is yours'),
  ('booking_offered', 'learner', false, 'A seat opened up: pay to claim it'),
  ('booking_waitlisted', 'learner', false, 'You are on the waitlist'),
  ('booking_pending_payment', 'learner', false, 'Your seat is held while you pay'),
  ('booking_cancelled', 'learner', false, 'Your booking was cancelled'),
  ('booking_removed', 'learner', false, 'The host removed you from a session'),
  ('booking_expired', 'learner', false, 'Your held seat was released'),
  ('payment_failed', 'learner', false, 'A payment failed'),
  ('payment_refunded_no_seat', 'learner', false, 'A late payment will be refunded'),
  ('refund_succeeded', 'learner', false, 'A refund was sent'),
  ('session_changed', 'learner', false, 'A session you booked moved'),
  ('session_cancelled', 'host', false, 'You cancelled a session'),
  ('reminder', 'learner', true, 'Reminders before sessions you booked'),
  ('host_booking_new', 'host', true, 'Someone booked your session'),
  ('host_booking_cancelled', 'host', true, 'Someone cancelled their booking of your session'),
  ('host_reminder', 'host', true, 'Reminders before sessions you host'),
  ('mentorship_requested', 'mentor', true, 'Someone asks you to mentor them'),
  ('mentorship_accepted', 'mentee', false, 'A mentor accepted your request'),
  ('mentorship_declined', 'mentee', false, 'A mentor declined your request'),
  ('mentorship_expired', 'mentee', false, 'A mentorship request expired unanswered'),
  ('forum_reply', 'author', true, 'Someone replied to your thread'),
  ('answer_accepted', 'author', true, 'Your answer was accepted'),
  ('group_join_request', 'group_admin', true, 'Someone asks to join a group you run'),
  ('content_purchased', 'buyer', false, 'Your premium item is ready');
grant select on public.notification_kinds to anon, authenticated, service_role;

create table public.notification_mutes (
  user_id uuid not null references auth.users (id) on delete cascade default auth.uid(),
  kind text not null references public.notification_kinds (kind) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (user_id, kind)
);
alter table public.notification_mutes enable row level security;
create policy "Users can read their own mutes"
  on public.notification_mutes for select to authenticated using ((select auth.uid()) = user_id);
create policy "Users can mute optional kinds for themselves"
  on public.notification_mutes for insert to authenticated
  with check ((select auth.uid()) = user_id
              and exists (select 1 from public.notification_kinds k where k.kind = notification_mutes.kind and k.optional));
create policy "Users can unmute for themselves"
  on public.notification_mutes for delete to authenticated using ((select auth.uid()) = user_id);
grant select, delete on public.notification_mutes to authenticated;
grant insert (kind) on public.notification_mutes to authenticated;
grant select on public.notification_mutes to service_role;

-- Whether a user muted a kind (the legacy reminders switch counts as muting reminders).
create function public.notification_muted(p_user_id uuid, p_kind text) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (select 1 from public.notification_mutes m where m.user_id = p_user_id and m.kind = p_kind)
      or (p_kind = 'reminder' and exists (select 1 from public.notification_preferences p
                                          where p.user_id = p_user_id and not p.reminders_enabled))
$$;
revoke execute on function public.notification_muted(uuid, text) from public, anon, authenticated;

-- Names and titles the emails need, written into the event when it is recorded (the email is composed later,
-- from the delivery alone).
create function public.outbox_enrich() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  m public.mentorships;
begin
  if new.payload ? 'mentorship_id' then
    select * into m from public.mentorships where id = (new.payload ->> 'mentorship_id')::uuid;
    if found then
      new.payload := new.payload || jsonb_build_object(
        'mentor_name', coalesce((select display_name from public.profiles where id = m.mentor_id), ''),
        'mentee_name', coalesce((select display_name from public.profiles where id = m.mentee_id), ''),
        'message', m.message);
    end if;
  end if;
  return new;
end;
$$;
revoke execute on function public.outbox_enrich() from public, anon, authenticated;
create trigger outbox_enrich before insert on public.outbox_events
  for each row execute function public.outbox_enrich();

-- Hosts: a learner's new seat or their own cancellation, told to the session's host.
create function public.notify_host_of_booking() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  b public.bookings;
  v_host uuid;
  v_kind text;
begin
  if new.kind in ('booking_confirmed', 'booking_promoted') then
    v_kind := 'host_booking_new';
  elsif new.kind = 'booking_cancelled' then
    v_kind := 'host_booking_cancelled';
  else
    return null;
  end if;
  select * into b from public.bookings where id = new.booking_id;
  if not found or b.status::text not in ('confirmed', 'cancelled') then
    return null;
  end if;
  if v_kind = 'host_booking_cancelled' and b.cancelled_by is distinct from b.learner_id then
    return null;  -- the host's own doing (a cancelled session, a removal): nothing to tell them
  end if;
  select host_id into v_host from public.sessions where id = b.session_id;
  if public.notification_muted(v_host, v_kind) then
    return null;
  end if;
  insert into public.deliveries (user_id, kind, booking_id, session_id, payload, due_at)
  values (v_host, v_kind, b.id, b.session_id,
          jsonb_build_object('learner_name', coalesce((select display_name from public.profiles where id = b.learner_id), ''),
                             'paid', b.paid_at is not null),
          now());
  return null;
end;
$$;
revoke execute on function public.notify_host_of_booking() from public, anon, authenticated;
create trigger notify_host_of_booking after insert on public.outbox_events
  for each row execute function public.notify_host_of_booking();

-- Hosts' reminders of their own sessions, at the same offsets as learners' (a moved session gets fresh ones; the
-- dispatcher voids those of a moved, cancelled or started session).
alter table public.deliveries drop constraint deliveries_reminder_shape;
alter table public.deliveries add constraint deliveries_reminder_shape check (
  kind not in ('reminder', 'host_reminder')
  or (session_id is not null and offset_minutes is not null and for_starts_at is not null
      and (kind = 'host_reminder' or booking_id is not null)));
create unique index deliveries_one_host_reminder on public.deliveries (session_id, offset_minutes, for_starts_at)
  where kind = 'host_reminder';

create function public.schedule_host_reminders() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_offset integer;
begin
  if new.status <> 'published' or new.starts_at <= now() or public.notification_muted(new.host_id, 'host_reminder') then
    return null;
  end if;
  for v_offset in
    select (jsonb_array_elements_text(value))::integer from public.platform_settings where key = 'reminder_offsets_minutes'
  loop
    if new.starts_at - make_interval(mins => v_offset) > now() then
      insert into public.deliveries (user_id, kind, session_id, offset_minutes, for_starts_at, due_at)
      values (new.host_id, 'host_reminder', new.id, v_offset, new.starts_at, new.starts_at - make_interval(mins => v_offset))
      on conflict do nothing;
    end if;
  end loop;
  return null;
end;
$$;
revoke execute on function public.schedule_host_reminders() from public, anon, authenticated;
create trigger schedule_host_reminders after insert or update of status, starts_at on public.sessions
  for each row execute function public.schedule_host_reminders();

-- Mentorships: a request that expires unanswered is told to the mentee.
create function public.notify_mentorship_expired() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.status = 'expired' and old.status = 'requested' then
    perform public.enqueue_event('mentorship_expired', new.mentee_id, null, null,
      jsonb_build_object('mentorship_id', new.id));
  end if;
  return null;
end;
$$;
revoke execute on function public.notify_mentorship_expired() from public, anon, authenticated;
create trigger notify_mentorship_expired after update of status on public.mentorships
  for each row execute function public.notify_mentorship_expired();

-- Forums: the thread's author hears of each reply (not their own); a reply's author hears their answer accepted.
create function public.notify_forum_reply() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  t public.forum_threads;
begin
  select * into t from public.forum_threads where id = new.thread_id;
  if t.author_id is not null and t.author_id is distinct from new.author_id then
    perform public.enqueue_event('forum_reply', t.author_id, null, null,
      jsonb_build_object('thread_id', t.id, 'thread_title', t.title, 'reply_id', new.id,
                         'replier_name', coalesce((select display_name from public.profiles where id = new.author_id), '')));
  end if;
  return null;
end;
$$;
revoke execute on function public.notify_forum_reply() from public, anon, authenticated;
create trigger notify_forum_reply after insert on public.forum_replies
  for each row execute function public.notify_forum_reply();

create function public.notify_answer_accepted() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_author uuid;
begin
  if new.accepted_reply_id is null or new.accepted_reply_id is not distinct from old.accepted_reply_id then
    return null;
  end if;
  select author_id into v_author from public.forum_replies where id = new.accepted_reply_id;
  if v_author is not null and v_author is distinct from new.author_id then
    perform public.enqueue_event('answer_accepted', v_author, null, null,
      jsonb_build_object('thread_id', new.id, 'thread_title', new.title, 'reply_id', new.accepted_reply_id));
  end if;
  return null;
end;
$$;
revoke execute on function public.notify_answer_accepted() from public, anon, authenticated;
create trigger notify_answer_accepted after update of accepted_reply_id on public.forum_threads
  for each row execute function public.notify_answer_accepted();

-- Groups: a request to join a private group is told to its owner and admins.
create function public.notify_group_join_request() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  g public.groups;
  v_admin uuid;
begin
  if new.status <> 'pending' then
    return null;
  end if;
  select * into g from public.groups where id = new.group_id;
  for v_admin in
    select m.user_id from public.group_members m
    where m.group_id = new.group_id and m.status = 'active' and m.role in ('owner', 'admin')
  loop
    perform public.enqueue_event('group_join_request', v_admin, null, null,
      jsonb_build_object('group_id', g.id, 'group_name', g.name, 'requester_id', new.user_id,
                         'requester_name', coalesce((select display_name from public.profiles where id = new.user_id), '')));
  end loop;
  return null;
end;
$$;
revoke execute on function public.notify_group_join_request() from public, anon, authenticated;
create trigger notify_group_join_request after insert on public.group_members
  for each row execute function public.notify_group_join_request();
