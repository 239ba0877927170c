-- Retrying a booking is safe without an Idempotency-Key. When the connection drops after COMMIT the client
-- cannot know its booking exists (it got a 503); a plain retry used to get 409 "you already have a booking".
-- Now a booking request from a learner who already holds an active booking (pending payment, confirmed or
-- waitlisted) for the session answers that booking: `created` tells the first answer (201) from every repeat
-- (200, always the same). Two identical requests racing: the second waits on the session lock, then finds the
-- first one's booking and answers it.
create or replace function public.book_or_find_seat(p_session_id uuid)
returns table (created boolean, booking jsonb)
language plpgsql
set search_path = ''
as $$
declare
  v_id uuid;
begin
  select b.id into v_id from public.bookings b
   where b.session_id = p_session_id and b.learner_id = auth.uid()
     and b.status in ('pending_payment', 'confirmed', 'waitlisted');
  created := v_id is null;
  if created then
    begin
      v_id := (public.book_seat(p_session_id)).id;
    exception when sqlstate 'SS409' then
      -- Lost a race with the same learner's own request: answer the booking it made; anything else stands.
      select b.id into v_id from public.bookings b
       where b.session_id = p_session_id and b.learner_id = auth.uid()
         and b.status in ('pending_payment', 'confirmed', 'waitlisted');
      if v_id is null then
        raise;
      end if;
      created := false;
    end;
  end if;
  select to_jsonb(d) into booking from public.booking_details d where d.id = v_id;
  return next;
end;
$$;
revoke execute on function public.book_or_find_seat(uuid) from public, anon, service_role;
grant execute on function public.book_or_find_seat(uuid) to authenticated;

-- The keyed path answers a repeat the same way (a new key for a session already booked gets that booking, 200).
create or replace function public.book_seat_idempotent(p_session_id uuid, p_key text, p_request_hash text)
returns table (replayed boolean, status_code integer, response jsonb)
language plpgsql security definer set search_path = ''
as $$
declare
  v_created boolean;
  v_body jsonb;
begin
  select c.status_code, c.response into status_code, response
    from public.claim_idempotency_key(p_key, p_request_hash) c;
  if found then
    replayed := true;
    return next;
    return;
  end if;
  select f.created, f.booking into v_created, v_body from public.book_or_find_seat(p_session_id) f;
  status_code := case when v_created then 201 else 200 end;
  perform public.save_idempotent_response(p_key, status_code, v_body);
  replayed := false;
  response := v_body;
  return next;
end;
$$;
