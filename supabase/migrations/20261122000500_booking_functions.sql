-- The booking functions: every change to seats, bookings, refunds due and reviews happens here, under a row
-- lock on the session (always taken before any booking lock, so no two functions deadlock on each other).
--
-- Errors use SQLSTATEs of class SS, mapped by type to HTTP problems by the functions' shared error handler:
--   SS401 not signed in, SS403 forbidden, SS404 not found, SS409 conflict with the current state,
--   SS422 invalid value (COLUMN names the field).

-- Clients write sessions only through these columns (seats_taken, status, host changes are the functions').
revoke insert, update, delete on public.sessions from anon, authenticated;
grant insert (host_id, format, title, description, starts_at, ends_at, timezone, capacity, price_amount, currency,
  refund_full_until_hours, refund_late_percent, min_notice_minutes, waitlist_enabled, hold_minutes,
  claim_window_minutes) on public.sessions to authenticated;
grant update (title, description, starts_at, ends_at, timezone, capacity, price_amount, currency,
  refund_full_until_hours, refund_late_percent, min_notice_minutes, waitlist_enabled, hold_minutes,
  claim_window_minutes) on public.sessions to authenticated;
revoke insert, update, delete on public.bookings, public.refunds, public.outbox_events, public.idempotency_keys,
  public.reviews from anon, authenticated;

create policy "Hosts can update their own sessions"
  on public.sessions for update to authenticated
  using ((select auth.uid()) = host_id)
  with check ((select auth.uid()) = host_id);

-- Outbox ------------------------------------------------------------------------------------------------
create or replace function public.enqueue_event(
  p_kind text, p_user_id uuid, p_session_id uuid, p_booking_id uuid, p_payload jsonb default '{}'::jsonb
) returns void
language sql security definer set search_path = ''
as $$
  insert into public.outbox_events (kind, user_id, session_id, booking_id, payload)
  values (p_kind, p_user_id, p_session_id, p_booking_id, coalesce(p_payload, '{}'::jsonb));
$$;

-- Session invariants on every update ---------------------------------------------------------------------
create or replace function public.sessions_guard_update() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if old.status = 'cancelled' then
    raise exception using errcode = 'SS409', message = 'a cancelled session cannot be changed', column = 'status';
  end if;
  if new.capacity < new.seats_taken then
    raise exception using errcode = 'SS422', column = 'capacity',
      message = format('capacity cannot go below the %s seats already taken', new.seats_taken);
  end if;
  if (new.price_amount, new.currency) is distinct from (old.price_amount, old.currency)
     and exists (select 1 from public.bookings b where b.session_id = old.id) then
    raise exception using errcode = 'SS409', column = 'price_amount',
      message = 'the price is frozen once anyone has booked this session';
  end if;
  if old.status = 'published' and new.starts_at is distinct from old.starts_at and new.starts_at <= now() then
    raise exception using errcode = 'SS422', column = 'starts_at', message = 'a published session must start in the future';
  end if;
  return new;
end;
$$;

create trigger sessions_guard_update before update on public.sessions
  for each row execute function public.sessions_guard_update();

-- Waitlist promotion: fill every free seat from the head of the queue. Caller holds the session lock. -----
create or replace function public.promote_waitlist(p_session_id uuid) returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  s public.sessions;
  b public.bookings;
  promoted integer := 0;
begin
  select * into s from public.sessions where id = p_session_id for update;
  if not found or s.status <> 'published' or s.starts_at <= now() then
    return 0;
  end if;
  while s.seats_taken < s.capacity loop
    select * into b from public.bookings
      where session_id = p_session_id and status = 'waitlisted'
      order by waitlist_seq
      limit 1
      for update;
    exit when not found;
    if s.price_amount = 0 then
      update public.bookings set status = 'confirmed', confirmed_at = now() where id = b.id;
      perform public.enqueue_event('booking_promoted', b.learner_id, s.id, b.id, jsonb_build_object('status', 'confirmed'));
    else
      update public.bookings
        set status = 'pending_payment', offered_from_waitlist = true, amount = s.price_amount, currency = s.currency,
            hold_expires_at = least(now() + make_interval(mins => s.claim_window_minutes), s.starts_at)
        where id = b.id;
      perform public.enqueue_event('booking_offered', b.learner_id, s.id, b.id,
        jsonb_build_object('status', 'pending_payment',
                           'claim_until', least(now() + make_interval(mins => s.claim_window_minutes), s.starts_at)));
    end if;
    s.seats_taken := s.seats_taken + 1;
    promoted := promoted + 1;
  end loop;
  if promoted > 0 then
    update public.sessions set seats_taken = s.seats_taken where id = p_session_id;
  end if;
  return promoted;
end;
$$;

-- Raising capacity frees seats: promote in the same transaction.
create or replace function public.sessions_promote_on_capacity() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform public.promote_waitlist(new.id);
  return null;
end;
$$;

create trigger sessions_promote_on_capacity after update of capacity on public.sessions
  for each row when (new.capacity > old.capacity) execute function public.sessions_promote_on_capacity();

-- Publishing ------------------------------------------------------------------------------------------
create or replace function public.publish_session(p_session_id uuid) returns public.sessions
language plpgsql security definer set search_path = ''
as $$
declare
  s public.sessions;
begin
  select * into s from public.sessions where id = p_session_id for update;
  if not found or (s.status = 'draft' and s.host_id is distinct from auth.uid()) then
    raise exception using errcode = 'SS404', message = 'session not found', column = 'session_id';
  end if;
  if s.host_id is distinct from auth.uid() then
    raise exception using errcode = 'SS403', message = 'only the host can publish this session';
  end if;
  if s.status <> 'draft' then
    raise exception using errcode = 'SS409', message = format('the session is already %s', s.status), column = 'status';
  end if;
  if s.starts_at <= now() then
    raise exception using errcode = 'SS422', message = 'only a session that starts in the future can be published',
      column = 'starts_at';
  end if;
  update public.sessions set status = 'published', published_at = now() where id = s.id returning * into s;
  return s;
end;
$$;

-- Booking ---------------------------------------------------------------------------------------------
-- Raises why a learner cannot book this session now, given a view of its row (a full session is refusable
-- only when it has no waitlist).
create or replace function public.assert_bookable(s public.sessions, p_learner uuid) returns void
language plpgsql stable set search_path = ''
as $$
begin
  if s.id is null or s.status = 'draft' then
    raise exception using errcode = 'SS404', message = 'session not found', column = 'session_id';
  end if;
  if s.status = 'cancelled' then
    raise exception using errcode = 'SS409', message = 'the session was cancelled', column = 'session_id';
  end if;
  if s.host_id = p_learner then
    raise exception using errcode = 'SS403', message = 'hosts cannot book their own session', column = 'session_id';
  end if;
  if now() >= s.starts_at then
    raise exception using errcode = 'SS409', message = 'the session has already started', column = 'session_id';
  end if;
  if now() > s.starts_at - make_interval(mins => s.min_notice_minutes) then
    raise exception using errcode = 'SS409', column = 'session_id',
      message = format('bookings close %s minutes before the start', s.min_notice_minutes);
  end if;
  if s.seats_taken >= s.capacity and not s.waitlist_enabled then
    raise exception using errcode = 'SS409', message = 'the session is full', column = 'session_id';
  end if;
  if exists (select 1 from public.bookings
             where session_id = s.id and learner_id = p_learner and status in ('pending_payment', 'confirmed', 'waitlisted')) then
    raise exception using errcode = 'SS409', message = 'you already have a booking for this session', column = 'session_id';
  end if;
end;
$$;

create or replace function public.book_seat(p_session_id uuid) returns public.bookings
language plpgsql security definer set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
  s public.sessions;
  b public.bookings;
  v_status public.booking_status;
begin
  if v_uid is null then
    raise exception using errcode = 'SS401', message = 'sign in to book a session';
  end if;
  -- Refuse what is already refusable without taking the session lock: when hundreds race for the last seats
  -- of a session without a waitlist, those who arrive after it filled never queue on its row lock.
  select * into s from public.sessions where id = p_session_id;
  perform public.assert_bookable(s, v_uid);
  -- Then decide under the lock, checking again against the locked (latest) row.
  select * into s from public.sessions where id = p_session_id for update;
  perform public.assert_bookable(s, v_uid);

  if s.seats_taken < s.capacity then
    v_status := case when s.price_amount = 0 then 'confirmed' else 'pending_payment' end;
    update public.sessions set seats_taken = seats_taken + 1 where id = s.id;
  else
    v_status := 'waitlisted';
  end if;

  insert into public.bookings (session_id, learner_id, status, amount, currency, hold_expires_at, waitlist_seq, confirmed_at)
  values (
    s.id, v_uid, v_status, s.price_amount, s.currency,
    case when v_status = 'pending_payment' then least(now() + make_interval(mins => s.hold_minutes), s.starts_at) end,
    case when v_status = 'waitlisted' then nextval('public.bookings_waitlist_seq') end,
    case when v_status = 'confirmed' then now() end
  )
  returning * into b;
  perform public.enqueue_event('booking_' || v_status::text, v_uid, s.id, b.id, jsonb_build_object('status', v_status));
  return b;
end;
$$;

-- Learner cancellation: only this learner's seat changes; the refund due follows the session's policy now. --
create or replace function public.refund_percent_for(s public.sessions, p_at timestamptz) returns integer
language sql stable set search_path = ''
as $$
  select case when p_at <= s.starts_at - make_interval(hours => s.refund_full_until_hours) then 100
              else s.refund_late_percent end
$$;

create or replace function public.cancel_booking(p_booking_id uuid) returns public.bookings
language plpgsql security definer set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
  v_session_id uuid;
  s public.sessions;
  b public.bookings;
  v_percent integer := 0;
  v_refund integer := 0;
  v_had_seat boolean;
begin
  select session_id into v_session_id from public.bookings where id = p_booking_id and learner_id = v_uid;
  if not found then
    raise exception using errcode = 'SS404', message = 'booking not found', column = 'booking_id';
  end if;
  select * into s from public.sessions where id = v_session_id for update;
  select * into b from public.bookings where id = p_booking_id for update;
  if b.status not in ('pending_payment', 'confirmed', 'waitlisted') then
    raise exception using errcode = 'SS409', message = format('this booking is already %s', b.status), column = 'booking_id';
  end if;
  v_had_seat := b.status in ('pending_payment', 'confirmed');
  if v_had_seat and now() >= s.starts_at then
    raise exception using errcode = 'SS409', message = 'the session has started; the booking can no longer be cancelled',
      column = 'booking_id';
  end if;
  if b.status = 'confirmed' and b.paid_at is not null and b.amount > 0 then
    v_percent := public.refund_percent_for(s, now());
    v_refund := (b.amount * v_percent) / 100;
    if v_refund > 0 then
      insert into public.refunds (booking_id, amount, currency, percent, reason)
      values (b.id, v_refund, b.currency, v_percent, 'learner_cancelled');
    end if;
  end if;
  update public.bookings set status = 'cancelled', cancelled_at = now(), cancelled_by = v_uid
    where id = b.id returning * into b;
  if v_had_seat then
    update public.sessions set seats_taken = seats_taken - 1 where id = s.id;
    perform public.promote_waitlist(s.id);
  end if;
  perform public.enqueue_event('booking_cancelled', v_uid, s.id, b.id,
    jsonb_build_object('by', 'learner', 'refund_amount', v_refund, 'refund_percent', v_percent, 'currency', b.currency));
  return b;
end;
$$;

-- Host cancels the whole session: every active booking cancelled, paid ones fully refunded. ---------------
create or replace function public.cancel_session(p_session_id uuid, p_reason text default null) returns public.sessions
language plpgsql security definer set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
  s public.sessions;
  b public.bookings;
  v_refund integer;
begin
  select * into s from public.sessions where id = p_session_id for update;
  if not found or (s.status = 'draft' and s.host_id is distinct from v_uid) then
    raise exception using errcode = 'SS404', message = 'session not found', column = 'session_id';
  end if;
  if s.host_id is distinct from v_uid then
    raise exception using errcode = 'SS403', message = 'only the host can cancel this session';
  end if;
  if s.status = 'cancelled' then
    raise exception using errcode = 'SS409', message = 'the session is already cancelled', column = 'status';
  end if;
  if now() >= s.ends_at then
    raise exception using errcode = 'SS409', message = 'the session is over', column = 'status';
  end if;
  for b in
    select * from public.bookings
    where session_id = s.id and status in ('pending_payment', 'confirmed', 'waitlisted')
    order by created_at
    for update
  loop
    v_refund := 0;
    if b.status = 'confirmed' and b.paid_at is not null and b.amount > 0 then
      v_refund := b.amount;
      insert into public.refunds (booking_id, amount, currency, percent, reason)
      values (b.id, b.amount, b.currency, 100, 'host_cancelled');
    end if;
    update public.bookings set status = 'cancelled', cancelled_at = now(), cancelled_by = v_uid where id = b.id;
    perform public.enqueue_event('booking_cancelled', b.learner_id, s.id, b.id,
      jsonb_build_object('by', 'host', 'refund_amount', v_refund, 'refund_percent', 100, 'currency', b.currency,
                         'reason', p_reason));
  end loop;
  update public.sessions
    set status = 'cancelled', cancelled_at = now(), cancel_reason = p_reason, seats_taken = 0
    where id = s.id returning * into s;
  perform public.enqueue_event('session_cancelled', s.host_id, s.id, null, jsonb_build_object('reason', p_reason));
  return s;
end;
$$;

-- Lapsed holds (and lapsed waitlist offers): free the seat and offer it to the next in line. --------------
create or replace function public.expire_holds(p_limit integer default 500) returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  r record;
  b public.bookings;
  n integer := 0;
begin
  -- Sessions are locked in id order, so two sweeps never deadlock each other.
  for r in
    select id, session_id from public.bookings
    where status = 'pending_payment' and hold_expires_at <= now()
    order by session_id, hold_expires_at
    limit p_limit
  loop
    perform 1 from public.sessions where id = r.session_id for update;
    select * into b from public.bookings where id = r.id for update;
    continue when b.status <> 'pending_payment' or b.hold_expires_at > now();
    update public.bookings set status = 'expired' where id = b.id;
    update public.sessions set seats_taken = seats_taken - 1 where id = r.session_id;
    perform public.enqueue_event('booking_expired', b.learner_id, b.session_id, b.id,
      jsonb_build_object('offered_from_waitlist', b.offered_from_waitlist));
    perform public.promote_waitlist(r.session_id);
    n := n + 1;
  end loop;
  return n;
end;
$$;

-- Attendance ------------------------------------------------------------------------------------------
create or replace function public.mark_attendance(p_booking_id uuid, p_mark public.attendance_mark)
returns public.bookings
language plpgsql security definer set search_path = ''
as $$
declare
  s public.sessions;
  b public.bookings;
begin
  select * into b from public.bookings where id = p_booking_id;
  if found then
    select * into s from public.sessions where id = b.session_id;
  end if;
  if b.id is null or s.host_id is distinct from auth.uid() then
    raise exception using errcode = 'SS404', message = 'booking not found', column = 'booking_id';
  end if;
  if now() < s.starts_at then
    raise exception using errcode = 'SS409', message = 'attendance can be marked once the session has started';
  end if;
  if b.status <> 'confirmed' then
    raise exception using errcode = 'SS409', message = format('a %s booking has no attendance', b.status);
  end if;
  update public.bookings set attendance = p_mark, attendance_marked_at = now() where id = b.id returning * into b;
  return b;
end;
$$;

-- Reviews ---------------------------------------------------------------------------------------------
create or replace function public.leave_review(p_booking_id uuid, p_rating integer, p_comment text default '')
returns public.reviews
language plpgsql security definer set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
  s public.sessions;
  b public.bookings;
  r public.reviews;
begin
  select * into b from public.bookings where id = p_booking_id and learner_id = v_uid for update;
  if not found then
    raise exception using errcode = 'SS404', message = 'booking not found', column = 'booking_id';
  end if;
  select * into s from public.sessions where id = b.session_id;
  if b.status <> 'confirmed' or b.attendance is not distinct from 'no_show' then
    raise exception using errcode = 'SS403', message = 'only confirmed attendees can review a session';
  end if;
  if now() < s.ends_at then
    raise exception using errcode = 'SS409', message = 'a session can be reviewed once it has finished';
  end if;
  if p_rating is null or p_rating < 1 or p_rating > 5 then
    raise exception using errcode = 'SS422', message = 'rating must be between 1 and 5', column = 'rating';
  end if;
  if exists (select 1 from public.reviews where booking_id = b.id) then
    raise exception using errcode = 'SS409', message = 'this booking has already been reviewed', column = 'booking_id';
  end if;
  insert into public.reviews (booking_id, session_id, host_id, reviewer_id, rating, comment)
  values (b.id, s.id, s.host_id, v_uid, p_rating, coalesce(p_comment, ''))
  returning * into r;
  return r;
end;
$$;

-- Idempotency keys ------------------------------------------------------------------------------------
-- Claim a key for the caller: null if claimed now (go ahead), else the first answer to replay. A concurrent
-- claim of the same key waits for the first transaction and then replays its answer.
create or replace function public.claim_idempotency_key(p_key text, p_request_hash text)
returns table (status_code integer, response jsonb)
language plpgsql security definer set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
  k public.idempotency_keys;
begin
  if v_uid is null then
    raise exception using errcode = 'SS401', message = 'sign in first';
  end if;
  insert into public.idempotency_keys (user_id, key, request_hash)
  values (v_uid, p_key, p_request_hash)
  on conflict do nothing;
  if found then
    return;
  end if;
  select * into k from public.idempotency_keys where user_id = v_uid and key = p_key;
  if k.request_hash <> p_request_hash then
    raise exception using errcode = 'SS422', column = 'Idempotency-Key',
      message = 'this Idempotency-Key was already used for a different request';
  end if;
  if k.status_code is null then
    raise exception using errcode = 'SS409', column = 'Idempotency-Key',
      message = 'a request with this Idempotency-Key is still in progress';
  end if;
  status_code := k.status_code;
  response := k.response;
  return next;
end;
$$;

create or replace function public.save_idempotent_response(p_key text, p_status_code integer, p_response jsonb)
returns void
language sql security definer set search_path = ''
as $$
  update public.idempotency_keys set status_code = p_status_code, response = p_response
  where user_id = auth.uid() and key = p_key;
$$;

create or replace function public.purge_idempotency_keys(p_older_than interval default interval '24 hours')
returns integer
language sql security definer set search_path = ''
as $$
  with gone as (delete from public.idempotency_keys where created_at < now() - p_older_than returning 1)
  select count(*)::integer from gone;
$$;

-- Waitlist figures: counts only, so viewers under RLS see the queue length and their own place in it. -------
create or replace function public.waitlist_count(p_session_id uuid) returns integer
language sql stable security definer set search_path = ''
as $$
  select count(*)::integer from public.bookings where session_id = p_session_id and status = 'waitlisted'
$$;

create or replace function public.waitlist_position(p_booking_id uuid) returns integer
language sql stable security definer set search_path = ''
as $$
  select nullif(count(*)::integer, 0)
  from public.bookings b
  join public.bookings w on w.session_id = b.session_id and w.status = 'waitlisted' and w.waitlist_seq <= b.waitlist_seq
  where b.id = p_booking_id and b.status = 'waitlisted'
$$;

-- A published session shows its host's display name, even to visitors who cannot read profiles.
create or replace function public.host_display_name(p_host_id uuid) returns text
language sql stable security definer set search_path = ''
as $$
  select p.display_name from public.profiles p
  where p.id = p_host_id
    and exists (select 1 from public.sessions s where s.host_id = p_host_id and s.status <> 'draft')
$$;

-- A host's aggregate rating is public (the reviews themselves are for signed-in users).
create or replace function public.host_rating(p_host_id uuid, out reviews integer, out average_rating double precision)
language sql stable security definer set search_path = ''
as $$
  select count(*)::integer, round(avg(rating), 2)::double precision from public.reviews where host_id = p_host_id
$$;

-- Grants: user-facing functions to signed-in users; internal ones to the service role only. -------------
revoke execute on function
  public.enqueue_event(text, uuid, uuid, uuid, jsonb),
  public.promote_waitlist(uuid),
  public.sessions_promote_on_capacity(),
  public.expire_holds(integer),
  public.purge_idempotency_keys(interval),
  public.publish_session(uuid),
  public.assert_bookable(public.sessions, uuid),
  public.book_seat(uuid),
  public.cancel_booking(uuid),
  public.cancel_session(uuid, text),
  public.mark_attendance(uuid, public.attendance_mark),
  public.leave_review(uuid, integer, text),
  public.claim_idempotency_key(text, text),
  public.save_idempotent_response(text, integer, jsonb),
  public.waitlist_count(uuid),
  public.waitlist_position(uuid)
from public, anon, authenticated;

revoke execute on function public.host_display_name(uuid), public.host_rating(uuid) from public;
grant execute on function public.waitlist_count(uuid), public.waitlist_position(uuid), public.host_display_name(uuid),
  public.host_rating(uuid) to anon, authenticated, service_role;

grant execute on function
  public.publish_session(uuid),
  public.book_seat(uuid),
  public.cancel_booking(uuid),
  public.cancel_session(uuid, text),
  public.mark_attendance(uuid, public.attendance_mark),
  public.leave_review(uuid, integer, text),
  public.claim_idempotency_key(text, text),
  public.save_idempotent_response(text, integer, jsonb)
to authenticated;

grant execute on function
  public.enqueue_event(text, uuid, uuid, uuid, jsonb),
  public.promote_waitlist(uuid),
  public.expire_holds(integer),
  public.purge_idempotency_keys(interval)
to service_role;
