-- Notifications: every outbox event becomes an email delivery in the same transaction; confirmed bookings get
-- reminders at configurable offsets (moved with the session, voided on cancellation, honouring opt-outs);
-- realtime broadcasts on private topics for seat counts and booking status.

create table public.platform_settings (
  key text primary key,
  value jsonb not null,
  updated_at timestamptz not null default now()
);
comment on table public.platform_settings is 'Operator-tunable settings (service role only).';
alter table public.platform_settings enable row level security;
insert into public.platform_settings (key, value) values
  ('reminder_offsets_minutes', '[1440, 60]'),
  ('delivery_max_attempts', '5');

create table public.notification_preferences (
  user_id uuid primary key references auth.users (id) on delete cascade,
  reminders_enabled boolean not null default true,
  updated_at timestamptz not null default now()
);
alter table public.notification_preferences enable row level security;
create policy "Users can read their own notification preferences"
  on public.notification_preferences for select to authenticated using ((select auth.uid()) = user_id);
create policy "Users can create their own notification preferences"
  on public.notification_preferences for insert to authenticated with check ((select auth.uid()) = user_id);
create policy "Users can change their own notification preferences"
  on public.notification_preferences for update to authenticated
  using ((select auth.uid()) = user_id) with check ((select auth.uid()) = user_id);

create type public.delivery_status as enum ('pending', 'sending', 'sent', 'void', 'dead');

create table public.deliveries (
  id bigint generated always as identity primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  kind text not null,
  booking_id uuid references public.bookings (id) on delete cascade,
  session_id uuid references public.sessions (id) on delete cascade,
  offset_minutes integer,
  for_starts_at timestamptz,
  outbox_event_id bigint unique references public.outbox_events (id) on delete cascade,
  payload jsonb not null default '{}'::jsonb,
  due_at timestamptz not null,
  status public.delivery_status not null default 'pending',
  attempts integer not null default 0,
  lease_until timestamptz,
  send_started_at timestamptz,
  sent_at timestamptz,
  provider_message_id text,
  last_error text,
  created_at timestamptz not null default now(),
  constraint deliveries_reminder_shape check (kind <> 'reminder' or (booking_id is not null and offset_minutes is not null
                                                                      and for_starts_at is not null))
);
comment on table public.deliveries is
  'Emails to send: one per outbox event, and reminders. Claimed by the dispatcher with leases (FOR UPDATE SKIP LOCKED).';
-- One reminder per booking, offset and start time (a moved session gets fresh reminders for its new start).
create unique index deliveries_one_reminder on public.deliveries (booking_id, offset_minutes, for_starts_at)
  where kind = 'reminder';
create index deliveries_due_idx on public.deliveries (due_at, id) where status = 'pending';
create index deliveries_lease_idx on public.deliveries (lease_until) where status = 'sending';
create index deliveries_booking_idx on public.deliveries (booking_id) where status = 'pending';
create index deliveries_user_idx on public.deliveries (user_id, created_at desc);

alter table public.deliveries enable row level security;
create policy "Users can read the notifications sent to them"
  on public.deliveries for select to authenticated using ((select auth.uid()) = user_id);

-- Outbox → email, in the same transaction as the change that wrote the outbox row.
create or replace function public.outbox_to_delivery() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.user_id is not null then
    insert into public.deliveries (user_id, kind, booking_id, session_id, outbox_event_id, payload, due_at)
    values (new.user_id, new.kind, new.booking_id, new.session_id, new.id, new.payload, now());
  end if;
  return null;
end;
$$;
create trigger outbox_to_delivery after insert on public.outbox_events
  for each row execute function public.outbox_to_delivery();

-- Reminders ---------------------------------------------------------------------------------------------
-- Reminders for a confirmed booking at each offset before the start; offsets whose time has passed collapse
-- into ONE reminder now (the nearest of them); none for a session that has started, none if opted out.
create or replace function public.schedule_reminders(p_booking_id uuid) returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  b public.bookings;
  s public.sessions;
  v_offset integer;
  v_passed integer;
  n integer := 0;
begin
  select * into b from public.bookings where id = p_booking_id;
  select * into s from public.sessions where id = b.session_id;
  if b.status <> 'confirmed' or s.starts_at <= now() or s.status <> 'published' then
    return 0;
  end if;
  if exists (select 1 from public.notification_preferences p where p.user_id = b.learner_id and not p.reminders_enabled) then
    return 0;
  end if;
  for v_offset in
    select (jsonb_array_elements_text(value))::integer as o from public.platform_settings
    where key = 'reminder_offsets_minutes' order by 1 desc
  loop
    if s.starts_at - make_interval(mins => v_offset) > now() then
      insert into public.deliveries (user_id, kind, booking_id, session_id, offset_minutes, for_starts_at, due_at)
      values (b.learner_id, 'reminder', b.id, s.id, v_offset, s.starts_at, s.starts_at - make_interval(mins => v_offset))
      on conflict do nothing;
      n := n + 1;
    else
      v_passed := v_offset;  -- offsets come largest first: the last passed one is the nearest
    end if;
  end loop;
  if v_passed is not null then
    insert into public.deliveries (user_id, kind, booking_id, session_id, offset_minutes, for_starts_at, due_at)
    values (b.learner_id, 'reminder', b.id, s.id, v_passed, s.starts_at, now())
    on conflict do nothing;
    n := n + 1;
  end if;
  return n;
end;
$$;

create or replace function public.void_pending_reminders(p_booking_id uuid, p_reason text) returns void
language sql security definer set search_path = ''
as $$
  update public.deliveries set status = 'void', last_error = p_reason
  where booking_id = p_booking_id and kind = 'reminder' and status = 'pending'
$$;

create or replace function public.bookings_reminders() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.status = 'confirmed' and (tg_op = 'INSERT' or old.status is distinct from 'confirmed') then
    perform public.schedule_reminders(new.id);
  elsif tg_op = 'UPDATE' and old.status = 'confirmed' and new.status <> 'confirmed' then
    perform public.void_pending_reminders(new.id, 'booking ' || new.status::text);
  end if;
  return null;
end;
$$;
create trigger bookings_reminders after insert or update of status on public.bookings
  for each row execute function public.bookings_reminders();

-- A session moved: pending reminders go (fresh ones are made for the new start) and attendees are told.
create or replace function public.sessions_moved() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  b record;
begin
  if new.status = 'published' and (new.starts_at, new.ends_at) is distinct from (old.starts_at, old.ends_at) then
    for b in select id, learner_id, status from public.bookings
             where session_id = new.id and status in ('confirmed', 'pending_payment', 'waitlisted')
    loop
      if b.status = 'confirmed' then
        perform public.void_pending_reminders(b.id, 'session moved');
        perform public.schedule_reminders(b.id);
      end if;
      perform public.enqueue_event('session_changed', b.learner_id, new.id, b.id,
        jsonb_build_object('old_starts_at', old.starts_at, 'starts_at', new.starts_at, 'ends_at', new.ends_at));
    end loop;
  end if;
  return null;
end;
$$;
create trigger sessions_moved after update of starts_at, ends_at on public.sessions
  for each row execute function public.sessions_moved();

-- Opting out voids pending reminders; opting in again schedules them for future confirmed bookings.
create or replace function public.preferences_changed() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  b record;
begin
  if not new.reminders_enabled then
    update public.deliveries set status = 'void', last_error = 'opted out'
    where user_id = new.user_id and kind = 'reminder' and status = 'pending';
  elsif tg_op = 'UPDATE' and not old.reminders_enabled then
    for b in select bk.id from public.bookings bk join public.sessions s on s.id = bk.session_id
             where bk.learner_id = new.user_id and bk.status = 'confirmed' and s.starts_at > now()
    loop
      perform public.schedule_reminders(b.id);
    end loop;
  end if;
  return null;
end;
$$;
create trigger preferences_changed after insert or update of reminders_enabled on public.notification_preferences
  for each row execute function public.preferences_changed();

-- Realtime --------------------------------------------------------------------------------------------
-- session:<id> hears seats_left changes; user:<id> hears their bookings' status changes. Both private.
create or replace function public.broadcast_seats() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.seats_taken is distinct from old.seats_taken or new.capacity is distinct from old.capacity then
    perform realtime.send(
      jsonb_build_object('session_id', new.id, 'seats_left', new.capacity - new.seats_taken, 'capacity', new.capacity),
      'seats_changed', 'session:' || new.id::text, true);
  end if;
  return null;
end;
$$;
create trigger broadcast_seats after update of seats_taken, capacity on public.sessions
  for each row execute function public.broadcast_seats();

create or replace function public.broadcast_booking_status() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if tg_op = 'INSERT' or new.status is distinct from old.status then
    perform realtime.send(
      jsonb_build_object('booking_id', new.id, 'session_id', new.session_id, 'status', new.status),
      'booking_status', 'user:' || new.learner_id::text, true);
  end if;
  return null;
end;
$$;
create trigger broadcast_booking_status after insert or update of status on public.bookings
  for each row execute function public.broadcast_booking_status();

-- Who may receive which broadcast (Supabase Realtime checks these policies with realtime.topic() set).
-- The id in a private topic such as 'session:<uuid>' or 'group:<uuid>' (null if the topic is not of that shape).
create or replace function public.topic_uuid(p_topic text, p_prefix text) returns uuid
language plpgsql immutable set search_path = ''
as $$
begin
  if p_topic like p_prefix || ':%' then
    return substr(p_topic, char_length(p_prefix) + 2)::uuid;
  end if;
  return null;
exception when invalid_text_representation then
  return null;
end;
$$;

create policy "Users receive broadcasts on their own topic"
  on realtime.messages for select to authenticated
  using (extension = 'broadcast' and topic = 'user:' || (select auth.uid())::text
         and (select realtime.topic()) = topic);

create policy "Signed-in users receive seat updates of published sessions"
  on realtime.messages for select to authenticated
  using (extension = 'broadcast' and (select realtime.topic()) = topic
         and exists (select 1 from public.sessions s
                     where s.id = public.topic_uuid(topic, 'session') and s.status = 'published'));

revoke execute on function
  public.outbox_to_delivery(), public.schedule_reminders(uuid), public.void_pending_reminders(uuid, text),
  public.bookings_reminders(), public.sessions_moved(), public.preferences_changed(), public.broadcast_seats(),
  public.broadcast_booking_status()
from public, anon, authenticated;
grant execute on function public.schedule_reminders(uuid), public.void_pending_reminders(uuid, text) to service_role;
