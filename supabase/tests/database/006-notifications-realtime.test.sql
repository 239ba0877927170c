-- Deliveries, preferences and platform settings under RLS; and who may receive which Realtime broadcast
-- (Realtime evaluates realtime.messages' select policies with realtime.topic() set to the channel joined).
begin;
select plan(20);

select tests.create_user('host@example.test') as host \gset
select tests.create_user('learner@example.test') as learner \gset
select tests.create_user('other@example.test') as other \gset

insert into public.sessions (id, host_id, format, title, starts_at, ends_at, capacity, status)
values ('bbbbbbbb-0000-4000-8000-000000000001', :'host', 'workshop', 'Open session', now() + interval '3 days',
        now() + interval '3 days 1 hour', 3, 'published'),
       ('bbbbbbbb-0000-4000-8000-000000000002', :'host', 'workshop', 'Draft session', now() + interval '3 days',
        now() + interval '3 days 1 hour', 3, 'draft');

select tests.authenticate_as(:'learner');
select is((public.book_seat('bbbbbbbb-0000-4000-8000-000000000001')).status::text, 'confirmed', 'a learner books');
select tests.clear_authentication();

select isnt_empty(format($$ select 1 from realtime.messages where topic = 'session:%s' and event = 'seats_changed' $$,
  'bbbbbbbb-0000-4000-8000-000000000001'), 'booking broadcasts the seat count on the session topic');
select isnt_empty(format($$ select 1 from realtime.messages where topic = 'user:%s' and event = 'booking_status' $$,
  :'learner'), 'booking broadcasts the status on the learner''s own topic');
select ok((select bool_and(private) from realtime.messages), 'every broadcast is private');
select is((select count(*)::int from public.deliveries where user_id = :'learner' and kind = 'reminder'), 2,
  'a confirmed booking gets its two reminders');

-- Realtime authorization ------------------------------------------------------------------------------
select tests.authenticate_as(:'learner');
select set_config('realtime.topic', 'user:' || :'learner', true);
select isnt_empty($$ select 1 from realtime.messages where topic = realtime.topic() $$,
  'a user receives broadcasts on their own user topic');
select set_config('realtime.topic', 'user:' || :'other', true);
select is_empty($$ select 1 from realtime.messages where topic = realtime.topic() $$,
  'a user cannot join another user''s topic');
select set_config('realtime.topic', 'session:bbbbbbbb-0000-4000-8000-000000000001', true);
select isnt_empty($$ select 1 from realtime.messages where topic = realtime.topic() $$,
  'a signed-in user receives seat updates of a published session');
select set_config('realtime.topic', 'session:not-a-uuid', true);
select is_empty($$ select 1 from realtime.messages where topic = realtime.topic() $$,
  'a malformed session topic yields nothing (and no error)');

select tests.clear_authentication();
select realtime.send('{"x": 1}', 'seats_changed', 'session:bbbbbbbb-0000-4000-8000-000000000002', true);
select tests.authenticate_as(:'other');
select set_config('realtime.topic', 'session:bbbbbbbb-0000-4000-8000-000000000002', true);
select is_empty($$ select 1 from realtime.messages where topic = realtime.topic() $$,
  'nobody receives broadcasts about a draft session');
select set_config('realtime.topic', 'user:' || :'learner', true);
select is_empty($$ select 1 from realtime.messages where topic = realtime.topic() $$,
  'another user hears nothing on the learner''s topic');

select tests.authenticate_as_anon();
select set_config('realtime.topic', 'session:bbbbbbbb-0000-4000-8000-000000000001', true);
select is_empty($$ select 1 from realtime.messages where topic = realtime.topic() $$, 'anon receives no broadcasts');

-- Deliveries and preferences ----------------------------------------------------------------------------
select tests.authenticate_as(:'learner');
select isnt_empty('select 1 from public.deliveries', 'a user reads the notifications sent to them');
select throws_ok($$ update public.deliveries set status = 'void' returning id $$, '42501', null,
  'users cannot change deliveries (no grant)');
select lives_ok(format($$ insert into public.notification_preferences (user_id, reminders_enabled) values (%L, false) $$,
  :'learner'), 'a user opts out of reminders');
select is((select count(*)::int from public.deliveries where kind = 'reminder' and status = 'pending'), 0,
  'opting out voids the pending reminders');
select throws_ok(format($$ insert into public.notification_preferences (user_id) values (%L) $$, :'other'),
  '42501', null, 'nobody sets another user''s preferences');
select throws_ok('select 1 from public.platform_settings', '42501', null,
  'platform settings are not readable by clients (no grant)');

select tests.authenticate_as(:'other');
select is_empty('select 1 from public.deliveries', 'another user reads nobody''s notifications');
select is_empty('select 1 from public.notification_preferences', 'another user reads nobody''s preferences');
select tests.clear_authentication();

select * from finish();
rollback;
