-- Notifications for everyone: the kinds catalogue is public; members mute optional kinds for themselves only; the
-- triggers tell hosts, forum authors, group admins and mentees what concerns them (as deliveries).
begin;
select plan(14);

select tests.create_user('host@example.test') as host \gset
select tests.create_user('learner@example.test') as learner \gset
select tests.create_user('stranger@example.test') as stranger \gset

select tests.authenticate_as_anon();
select ok((select count(*) from public.notification_kinds) >= 25, 'anyone reads the kinds catalogue');
select throws_ok($$ insert into public.notification_mutes (kind) values ('forum_reply') $$, '42501', null,
  'visitors mute nothing');

select tests.authenticate_as(:'learner');
select lives_ok($$ insert into public.notification_mutes (kind) values ('forum_reply') $$, 'a member mutes an optional kind');
select throws_ok($$ insert into public.notification_mutes (kind) values ('refund_succeeded') $$, '42501', null,
  'money and seat kinds cannot be muted');
select throws_ok($$ insert into public.notification_mutes (user_id, kind) values ('$$ || :'stranger' || $$', 'reminder') $$,
  '42501', null, 'nobody mutes for someone else (user_id is not insertable)');
select throws_ok($$ update public.notification_mutes set kind = 'reminder' $$, '42501', null, 'a mute is not updatable');
select throws_ok($$ insert into public.notification_kinds (kind, audience, optional, description)
  values ('spam', 'learner', true, 'x') $$, '42501', null, 'the catalogue is not client-writable');

select tests.authenticate_as(:'stranger');
select is_empty('select * from public.notification_mutes', 'a member sees only their own mutes');
select is_empty($$ delete from public.notification_mutes returning kind $$, 'nor can they unmute for others');
select throws_ok($$ select public.notification_muted('$$ || :'learner' || $$', 'forum_reply') $$, '42501', null,
  'whether someone muted a kind is not for clients to ask');

-- Hosts: a published session gets host reminders; a learner's seat tells the host
select tests.clear_authentication();
insert into public.sessions (id, host_id, format, title, starts_at, ends_at, capacity, status, published_at) values
  ('5e550000-0000-4000-8000-0000000000c1', :'host', 'workshop', 'Notified', now() + interval '3 days',
   now() + interval '3 days 1 hour', 3, 'published', now());
select is((select count(*)::int from public.deliveries where user_id = :'host' and kind = 'host_reminder'), 2,
  'a published session schedules its host''s reminders');
select tests.authenticate_as(:'learner');
select lives_ok($$ select public.book_seat('5e550000-0000-4000-8000-0000000000c1') $$, 'a learner books');
select tests.clear_authentication();
select is((select payload ->> 'learner_name' from public.deliveries where user_id = :'host' and kind = 'host_booking_new'),
  (select display_name from public.profiles where id = :'learner'), 'the host is told who booked');
select is((select count(*)::int from public.deliveries where user_id = :'learner' and kind = 'booking_confirmed'), 1,
  'and the learner gets their own confirmation');

select * from finish();
rollback;
