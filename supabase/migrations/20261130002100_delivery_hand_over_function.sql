-- The dispatcher's hand-over mark as one function call (#16 item 5).
--
-- Before each message goes to the mail service the dispatcher records `send_started_at` on it and, in the same
-- statement, marks the previous message of its batch sent (reminders/logic.py: a crash can leave at most the one
-- message in between in doubt). As a statement (`with sent as (update ...) update ...`) the server parsed and
-- planned both updates again for every message. PL/pgSQL keeps the plans of its statements for the life of the
-- connection (PostgreSQL 15 docs, 43.11.2 "Plan Caching"), so as a function each message costs the call alone:
-- measured on loopback, 401 -> 345 µs a hand-over (10,000 in a row, bench/reminders.py's queue). No prepared
-- statement is involved, so this holds behind Supabase's transaction pooler too.
--
-- Same effect and same transaction as the statement it replaces: both marks commit together or not at all;
-- true when the message is still leased (`status = 'sending'`), false when the lease was lost to another worker.
create function public.hand_over_delivery(p_id bigint, p_previous bigint default null,
                                          p_previous_message_id text default null) returns boolean
language plpgsql security definer set search_path = ''
as $$
begin
  if p_previous is not null then
    update public.deliveries
       set status = 'sent', sent_at = now(), provider_message_id = p_previous_message_id, lease_until = null
     where id = p_previous;
  end if;
  update public.deliveries set send_started_at = now() where id = p_id and status = 'sending';
  return found;
end;
$$;
comment on function public.hand_over_delivery(bigint, bigint, text) is
  'The dispatcher''s hand-over mark (and the previous message''s sent mark): the reminders function only.';
-- Called by the dispatcher's own system connection (the owner), as reserve_mail_sends; no API role.
revoke execute on function public.hand_over_delivery(bigint, bigint, text)
  from public, anon, authenticated, service_role;
