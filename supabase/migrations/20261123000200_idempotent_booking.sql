-- One client-callable entry for a keyed booking: claim the Idempotency-Key, book, store the answer, all in the
-- caller's transaction. The idempotency ledger's writers (claim_idempotency_key, save_idempotent_response)
-- become internal: no API role can plant or rewrite a stored answer any more.
--
-- Returns the stored answer on a replay (replayed = true), else the fresh booking. `response` is the
-- booking_details row as JSON; the bookings function builds its public model from it either way.
create or replace function public.book_seat_idempotent(p_session_id uuid, p_key text, p_request_hash text)
returns table (replayed boolean, status_code integer, response jsonb)
language plpgsql security definer set search_path = ''
as $$
declare
  v_id uuid;
  v_body jsonb;
begin
  select c.status_code, c.response into status_code, response
    from public.claim_idempotency_key(p_key, p_request_hash) c;
  if found then
    replayed := true;
    return next;
    return;
  end if;
  v_id := (public.book_seat(p_session_id)).id;
  select to_jsonb(d) into v_body from public.booking_details d where d.id = v_id;
  perform public.save_idempotent_response(p_key, 201, v_body);
  replayed := false;
  status_code := 201;
  response := v_body;
  return next;
end;
$$;

revoke execute on function public.book_seat_idempotent(uuid, text, text) from public, anon, service_role;
grant execute on function public.book_seat_idempotent(uuid, text, text) to authenticated;
revoke execute on function public.claim_idempotency_key(text, text), public.save_idempotent_response(text, integer, jsonb)
  from public, anon, authenticated, service_role;
