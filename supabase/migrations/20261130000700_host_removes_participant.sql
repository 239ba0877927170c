-- A host removes one participant: the booking is cancelled whatever its state (held, confirmed, waitlisted), a
-- paid booking is refunded in full (the learner did nothing wrong), the learner is told (with the host's reason),
-- and a freed seat goes to the head of the waitlist in the same transaction. Only before the session ends.
-- A payment that arrives later for the removed booking becomes a refund due (record_payment_succeeded never
-- gives a seat back to a cancelled booking).
create or replace function public.remove_participant(p_booking_id uuid, p_reason text default null)
returns public.bookings
language plpgsql security definer set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
  v_session_id uuid;
  s public.sessions;
  b public.bookings;
  v_refund integer := 0;
  v_had_seat boolean;
begin
  select session_id into v_session_id from public.bookings where id = p_booking_id;
  select * into s from public.sessions where id = v_session_id for update;
  if not found or s.host_id is distinct from v_uid then
    -- Not the host's booking: as if it did not exist (no oracle for other hosts' bookings).
    raise exception using errcode = 'SS404', message = 'booking not found', column = 'booking_id';
  end if;
  select * into b from public.bookings where id = p_booking_id for update;
  if b.status not in ('pending_payment', 'confirmed', 'waitlisted') then
    raise exception using errcode = 'SS409', message = format('this booking is already %s', b.status), column = 'booking_id';
  end if;
  if now() >= s.ends_at then
    raise exception using errcode = 'SS409', message = 'the session is over', column = 'booking_id';
  end if;
  if p_reason is not null and char_length(p_reason) > 1000 then
    raise exception using errcode = 'SS422', message = 'at most 1000 characters', column = 'reason';
  end if;
  v_had_seat := b.status in ('pending_payment', 'confirmed');
  if b.status = 'confirmed' and b.paid_at is not null and b.amount > 0 then
    v_refund := b.amount;
    insert into public.refunds (booking_id, amount, currency, percent, reason)
    values (b.id, b.amount, b.currency, 100, 'host_removed');
  end if;
  update public.bookings set status = 'cancelled', cancelled_at = now(), cancelled_by = v_uid
    where id = b.id returning * into b;
  if v_had_seat then
    update public.sessions set seats_taken = seats_taken - 1 where id = s.id;
    perform public.promote_waitlist(s.id);
  end if;
  perform public.enqueue_event('booking_removed', b.learner_id, s.id, b.id,
    jsonb_build_object('by', 'host', 'refund_amount', v_refund, 'refund_percent', 100, 'currency', b.currency,
                       'reason', p_reason));
  return b;
end;
$$;
revoke execute on function public.remove_participant(uuid, text) from public, anon, service_role;
grant execute on function public.remove_participant(uuid, text) to authenticated;

-- The host sees what their sessions' learners are refunded (the removal's answer, and their earnings).
create policy "Hosts can read refunds of their sessions' bookings" on public.refunds for select to authenticated
  using (exists (select 1 from public.bookings b join public.sessions s on s.id = b.session_id
                 where b.id = refunds.booking_id and s.host_id = (select auth.uid())));
