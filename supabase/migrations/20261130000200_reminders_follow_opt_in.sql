-- Reminders follow the learner's preference both ways. Opting out voids pending reminders; opting back in called
-- schedule_reminders again, but the voided rows still held their (booking, offset, start) slot and the insert's
-- `on conflict do nothing` kept them void: confirmed future bookings were left with no reminder at all.
-- Now a reminder the schedule wants again is revived from `void` (only from `void`: one that was sent stays sent).
-- schedule_reminders re-checks everything first (booking confirmed, session published and in the future,
-- reminders enabled), so a reminder voided for any other reason is only revived when it is due again.
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
      on conflict (booking_id, offset_minutes, for_starts_at) where kind = 'reminder' do update
        set status = 'pending', due_at = excluded.due_at, attempts = 0, last_error = null,
            send_started_at = null, lease_until = null
        where public.deliveries.status = 'void';
      n := n + 1;
    else
      v_passed := v_offset;  -- offsets come largest first: the last passed one is the nearest
    end if;
  end loop;
  if v_passed is not null then
    insert into public.deliveries (user_id, kind, booking_id, session_id, offset_minutes, for_starts_at, due_at)
    values (b.learner_id, 'reminder', b.id, s.id, v_passed, s.starts_at, now())
    on conflict (booking_id, offset_minutes, for_starts_at) where kind = 'reminder' do update
      set status = 'pending', due_at = excluded.due_at, attempts = 0, last_error = null,
          send_started_at = null, lease_until = null
      where public.deliveries.status = 'void';
    n := n + 1;
  end if;
  return n;
end;
$$;
