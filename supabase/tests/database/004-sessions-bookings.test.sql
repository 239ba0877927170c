-- RLS and grants on sessions, session_links, bookings, refunds, outbox, idempotency keys, reviews:
-- anon, host (owner), learner (owner of a booking), another user, service role.
begin;
select plan(36);

select tests.create_user('host@example.test') as host \gset
select tests.create_user('learner@example.test') as learner \gset
select tests.create_user('waiter@example.test') as waiter \gset
select tests.create_user('other@example.test') as other \gset

insert into public.sessions (id, host_id, format, title, starts_at, ends_at, capacity, status)
values ('aaaaaaaa-0000-4000-8000-000000000001', :'host', 'workshop', 'Published one', now() + interval '2 days',
        now() + interval '2 days 2 hours', 1, 'published'),
       ('aaaaaaaa-0000-4000-8000-000000000002', :'host', 'workshop', 'Draft one', now() + interval '3 days',
        now() + interval '3 days 1 hour', 5, 'draft');
insert into public.session_links (session_id, meeting_url)
values ('aaaaaaaa-0000-4000-8000-000000000001', 'https://meet.example.org/x');

-- anon ------------------------------------------------------------------------------------------------
select tests.authenticate_as_anon();
select results_eq($$ select title from public.sessions $$, array['Published one'], 'anon sees published sessions only');
select throws_ok('select * from public.session_links', '42501', null, 'anon cannot read meeting links (no grant)');
select throws_ok('select * from public.bookings', '42501', null, 'anon cannot read bookings (no grant)');
select throws_ok(format($$ insert into public.sessions (host_id, format, title, starts_at, ends_at, capacity)
  values (%L, 'webinar', 'Anon', now() + interval '1 day', now() + interval '25 hours', 3) $$, :'host'),
  '42501', null, 'anon cannot create sessions');
select throws_ok($$ select public.book_seat('aaaaaaaa-0000-4000-8000-000000000001') $$, '42501', null,
  'anon cannot call book_seat');

-- the host --------------------------------------------------------------------------------------------
select tests.authenticate_as(:'host');
select is((select count(*)::int from public.sessions), 2, 'the host sees their drafts too');
select lives_ok(format($$ insert into public.sessions (host_id, format, title, starts_at, ends_at, capacity)
  values (%L, 'webinar', 'New draft', now() + interval '1 day', now() + interval '25 hours', 50) $$, :'host'),
  'the host creates a draft session');
select throws_ok(format($$ insert into public.sessions (host_id, format, title, starts_at, ends_at, capacity)
  values (%L, 'webinar', 'Fake', now() + interval '1 day', now() + interval '25 hours', 50) $$, :'other'),
  '42501', null, 'a session cannot be created for another host');
select throws_ok(format($$ insert into public.sessions (host_id, format, title, starts_at, ends_at, capacity, status)
  values (%L, 'webinar', 'Sneaky', now() + interval '1 day', now() + interval '25 hours', 50, 'published') $$, :'host'),
  '42501', null, 'a session cannot be inserted already published');
select throws_ok($$ update public.sessions set seats_taken = 0 where id = 'aaaaaaaa-0000-4000-8000-000000000001' $$,
  '42501', null, 'no client writes seats_taken');
select throws_ok($$ update public.sessions set status = 'published' where id = 'aaaaaaaa-0000-4000-8000-000000000002' $$,
  '42501', null, 'no client writes status (publish_session does)');
select results_eq($$ update public.sessions set title = 'Renamed' where id = 'aaaaaaaa-0000-4000-8000-000000000001'
  returning title $$, array['Renamed'], 'the host edits their session');
select results_eq($$ select meeting_url from public.session_links $$, array['https://meet.example.org/x'],
  'the host reads their meeting link');
select throws_ok($$ delete from public.sessions where id = 'aaaaaaaa-0000-4000-8000-000000000002' $$, '42501', null,
  'sessions are cancelled, never deleted by clients');

-- a learner books through the function ----------------------------------------------------------------
select tests.authenticate_as(:'learner');
select is((public.book_seat('aaaaaaaa-0000-4000-8000-000000000001')).status::text, 'confirmed',
  'a learner books the last seat through book_seat');
select results_eq($$ select meeting_url from public.session_links $$, array['https://meet.example.org/x'],
  'a confirmed attendee reads the meeting link');
select is((select count(*)::int from public.bookings), 1, 'the learner reads their own booking');
select throws_ok(format($$ insert into public.bookings (session_id, learner_id, status)
  values ('aaaaaaaa-0000-4000-8000-000000000001', %L, 'confirmed') $$, :'learner'),
  '42501', null, 'no client inserts bookings directly');
select throws_ok($$ update public.bookings set status = 'confirmed' $$, '42501', null,
  'no client updates bookings directly');
select throws_ok($$ select public.expire_holds(10) $$, '42501', null, 'learners cannot run the hold sweep');
select throws_ok($$ select public.promote_waitlist('aaaaaaaa-0000-4000-8000-000000000001') $$, '42501', null,
  'learners cannot promote the waitlist');
select throws_ok($$ select public.enqueue_event('x', null, null, null, '{}') $$, '42501', null,
  'learners cannot write to the outbox');
select throws_ok('select * from public.outbox_events', '42501', null,
  'the outbox is not readable by clients (no grant)');
select throws_ok('select * from public.idempotency_keys', '42501', null,
  'idempotency keys are not readable by clients (no grant)');

select tests.authenticate_as(:'waiter');
select is((public.book_seat('aaaaaaaa-0000-4000-8000-000000000001')).status::text, 'waitlisted',
  'the next learner is waitlisted');
select is_empty('select * from public.session_links', 'a waitlisted learner does not get the meeting link');
select is((select count(*)::int from public.bookings), 1, 'the waitlisted learner sees only their own booking');
select is(public.waitlist_count('aaaaaaaa-0000-4000-8000-000000000001'), 1, 'waitlist length is visible as a count');

-- another user ----------------------------------------------------------------------------------------
select tests.authenticate_as(:'other');
select is_empty('select * from public.bookings', 'another user reads no bookings');
select is_empty($$ select * from public.sessions where status = 'draft' $$, 'another user sees no drafts');
select is_empty($$ update public.sessions set title = 'Mine' returning id $$, 'another user edits no session');
select is_empty('select * from public.session_links', 'another user reads no meeting link');
select throws_ok($$ select public.cancel_session('aaaaaaaa-0000-4000-8000-000000000001', null) $$, 'SS403', null,
  'another user cannot cancel the session');

-- host sees the bookings of their session ---------------------------------------------------------------
select tests.authenticate_as(:'host');
select is((select count(*)::int from public.bookings), 2, 'the host reads the bookings of their session');

-- service role ----------------------------------------------------------------------------------------
select tests.authenticate_as_service_role();
select is((select count(*)::int from public.bookings), 2, 'the service role reads every booking');
select throws_ok($$ select public.expire_holds(10) $$, '42501', null,
  'the hold sweep is internal: not even the service role runs it (the job''s own connection does)');
select tests.clear_authentication();

select * from finish();
rollback;
