-- The booking as the API shows it, as a view (security invoker: RLS of the underlying tables applies), and
-- an RPC that books a seat and returns that view's row in one statement, so the whole booking transaction
-- can be sent in one flight and the session row lock is held only while the server works.

create view public.booking_details with (security_invoker = true) as
select b.*,
       b.paid_at is not null as paid,
       public.waitlist_position(b.id) as waitlist_position,
       s.title as session_title,
       s.starts_at,
       s.ends_at,
       r.amount as refund_amount,
       r.currency as refund_currency,
       r.percent as refund_percent,
       r.status::text as refund_status
from public.bookings b
join public.sessions s on s.id = b.session_id
left join public.refunds r on r.booking_id = b.id;

revoke insert, update, delete on public.booking_details from anon, authenticated;

create or replace function public.book_seat_details(p_session_id uuid) returns setof public.booking_details
language plpgsql
set search_path = ''
as $$
declare
  v_id uuid;
begin
  v_id := (public.book_seat(p_session_id)).id;
  return query select * from public.booking_details where id = v_id;
end;
$$;

revoke execute on function public.book_seat_details(uuid) from public, anon;
grant execute on function public.book_seat_details(uuid) to authenticated;
