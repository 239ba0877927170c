-- Mentorship in use: reserved 1:1 sessions (seen and booked by the mentee only) and the pair's private thread (RLS,
-- Realtime); and one goals model (a goal set for matching is the learner's progress goal).
begin;
select plan(22);

select tests.create_user('mentor@example.test') as mentor \gset
select tests.create_user('mentee@example.test') as mentee \gset
select tests.create_user('stranger@example.test') as stranger \gset
insert into public.mentor_profiles (user_id, capacity, timezone) values (:'mentor', 2, 'UTC');
insert into public.mentorships (id, mentor_id, mentee_id, status) values
  ('3e370000-0000-4000-8000-000000000001', :'mentor', :'mentee', 'active');
insert into public.skills (id, slug, name, category) overriding system value values (990201, 'goal-one', 'Goal one', 'Test');

-- Reserved sessions ---------------------------------------------------------------------------------------------
select tests.authenticate_as(:'mentor');
select lives_ok($$ insert into public.sessions (host_id, format, title, starts_at, ends_at, capacity, reserved_for)
  values (auth.uid(), 'one_on_one', 'Our first 1:1', now() + interval '2 days',
          now() + interval '2 days 1 hour', 1, '$$ || :'mentee' || $$') $$, 'a mentor reserves a 1:1 for their mentee');
select id as reserved from public.sessions where title = 'Our first 1:1' \gset
select throws_ok($$ insert into public.sessions (host_id, format, title, starts_at, ends_at, capacity, reserved_for)
  values (auth.uid(), 'one_on_one', 'For a stranger', now() + interval '2 days', now() + interval '2 days 1 hour', 1,
          '$$ || :'stranger' || $$') $$, 'SS409', null, 'but not for someone they do not mentor');
select throws_ok($$ insert into public.sessions (host_id, format, title, starts_at, ends_at, capacity, reserved_for)
  values (auth.uid(), 'workshop', 'A reserved workshop', now() + interval '2 days', now() + interval '2 days 1 hour', 5,
          '$$ || :'mentee' || $$') $$, '23514', null, 'and only one-on-one sessions are reserved');
select lives_ok(format($$ select public.publish_session(%L) $$, :'reserved'), 'the mentor publishes it');

select tests.authenticate_as_anon();
select is_empty(format($$ select id from public.sessions where id = %L $$, :'reserved'),
  'visitors do not see a reserved session');
select tests.authenticate_as(:'stranger');
select is_empty(format($$ select id from public.sessions where id = %L $$, :'reserved'),
  'nor do other members');
select throws_ok(format($$ select public.book_seat(%L) $$, :'reserved'), 'SS404', null,
  'nor can they book it, even knowing its id');
select tests.authenticate_as(:'mentee');
select isnt_empty(format($$ select id from public.sessions where id = %L $$, :'reserved'),
  'the mentee sees it');
select is((public.book_seat(:'reserved')).status::text, 'confirmed', 'and books it');

-- The thread ----------------------------------------------------------------------------------------------------
select lives_ok($$ insert into public.mentorship_messages (mentorship_id, body)
  values ('3e370000-0000-4000-8000-000000000001', 'Hello, mentor!') $$, 'the mentee writes in the thread');
select tests.authenticate_as(:'mentor');
select results_eq('select body from public.mentorship_messages', array['Hello, mentor!'], 'the mentor reads it');
select lives_ok($$ insert into public.mentorship_messages (mentorship_id, body)
  values ('3e370000-0000-4000-8000-000000000001', 'Welcome!') $$, 'and answers');
select is((select count(*)::int from realtime.messages where topic = 'mentorship:3e370000-0000-4000-8000-000000000001'),
  2, 'every message is broadcast on the pair''s topic');
select tests.authenticate_as(:'stranger');
select is_empty('select body from public.mentorship_messages', 'a stranger reads nothing of it');
select throws_ok($$ insert into public.mentorship_messages (mentorship_id, body)
  values ('3e370000-0000-4000-8000-000000000001', 'Me too') $$, '42501', null, 'nor writes in it');
select set_config('request.jwt.claims', json_build_object('sub', :'stranger', 'role', 'authenticated',
  'realtime', json_build_object('topic', 'mentorship:3e370000-0000-4000-8000-000000000001'))::text, true);
select is_empty($$ select id from realtime.messages where topic = 'mentorship:3e370000-0000-4000-8000-000000000001' $$,
  'nor receives its broadcasts');

select tests.clear_authentication();
update public.mentorships set status = 'ended', ended_at = now() where id = '3e370000-0000-4000-8000-000000000001';
select tests.authenticate_as(:'mentee');
select is((select count(*)::int from public.mentorship_messages), 2, 'after the mentorship ends the pair still reads it');
select throws_ok($$ insert into public.mentorship_messages (mentorship_id, body)
  values ('3e370000-0000-4000-8000-000000000001', 'One more') $$, '42501', null, 'but writes no more');

-- One goals model -----------------------------------------------------------------------------------------------
select lives_ok($$ insert into public.mentee_goals (mentee_id, skill_id, current_level, target_level)
  values (auth.uid(), 990201, 1, 4) $$, 'a goal set for matching...');
select results_eq($$ select current_level::int, target_level::int, status::text from public.learning_goals
  where skill_id = 990201 $$, $$ values (1, 4, 'active') $$, '... is the learner''s progress goal');
select throws_ok($$ insert into public.mentee_goals (mentee_id, skill_id, current_level, target_level)
  values ('$$ || :'stranger' || $$', 990201, 0, 2) $$, '42501', null, 'nobody sets goals for someone else');
select tests.authenticate_as(:'stranger');
select is_empty('select * from public.mentee_goals', 'and goals stay private');

select tests.clear_authentication();
select * from finish();
rollback;
