-- Assessment and progress under RLS: owner, expert without and with a share, another user, anon, service role.
begin;
select plan(20);

select tests.create_user('learner@example.test') as learner \gset
select tests.create_user('expert@example.test') as expert \gset
select tests.create_user('stranger@example.test') as stranger \gset
insert into public.skills (slug, name, category) values ('chess', 'Chess', 'Games');
select id as chess from public.skills where slug = 'chess' \gset
insert into public.sessions (id, host_id, format, title, starts_at, ends_at, capacity, status)
values ('ffffffff-0000-4000-8000-000000000001', :'expert', 'workshop', 'Openings', now() - interval '3 hours',
        now() - interval '1 hour', 5, 'published'),
       ('ffffffff-0000-4000-8000-000000000002', :'expert', 'workshop', 'Endgames', now() + interval '1 day',
        now() + interval '1 day 1 hour', 5, 'published');
insert into public.session_skills values ('ffffffff-0000-4000-8000-000000000001', :chess);
insert into public.bookings (session_id, learner_id, status, attendance)
values ('ffffffff-0000-4000-8000-000000000001', :'learner', 'confirmed', 'attended');

-- the learner ----------------------------------------------------------------------------------------
select tests.authenticate_as(:'learner');
select lives_ok(format($$ insert into public.self_assessments (skill_id, level, note) values (%s, 2, 'Know the rules') $$,
  :chess), 'a learner records a self-assessment');
select lives_ok(format($$ insert into public.learning_goals (skill_id, target_level, target_date)
  values (%s, 4, current_date + 90) $$, :chess), 'a learner sets a goal');
select throws_ok(format($$ insert into public.self_assessments (user_id, skill_id, level) values (%L, %s, 5) $$,
  :'stranger', :chess), '42501', null, 'nobody records assessments for someone else');
select throws_ok(format($$ insert into public.expert_assessments (learner_id, session_id, skill_id, level)
  values (%L, 'ffffffff-0000-4000-8000-000000000001', %s, 5) $$, :'learner', :chess), '42501', null,
  'learners cannot write expert assessments about themselves');

-- the expert before any share --------------------------------------------------------------------------
select tests.authenticate_as(:'expert');
select is_empty('select 1 from public.self_assessments', 'an expert sees nothing the learner did not share');
select is_empty('select 1 from public.learning_goals', 'nor their goals');
select throws_ok(format($$ insert into public.expert_assessments (learner_id, session_id, skill_id, level)
  values (%L, 'ffffffff-0000-4000-8000-000000000002', %s, 3) $$, :'learner', :chess), '42501', null,
  'no expert assessment for a session that has not finished (or was not attended)');
select lives_ok(format($$ insert into public.expert_assessments (learner_id, session_id, skill_id, level, note)
  values (%L, 'ffffffff-0000-4000-8000-000000000001', %s, 3, 'Solid openings') $$, :'learner', :chess),
  'the host of a finished session the learner attended assesses them');

-- the stranger -----------------------------------------------------------------------------------------
select tests.authenticate_as(:'stranger');
select throws_ok(format($$ insert into public.expert_assessments (learner_id, session_id, skill_id, level)
  values (%L, 'ffffffff-0000-4000-8000-000000000001', %s, 5) $$, :'learner', :chess), '42501', null,
  'someone who did not host the session cannot assess');
select throws_ok(format($$ insert into public.progress_shares (learner_id, expert_id) values (%L, %L) $$,
  :'learner', :'stranger'), '42501', null, 'nobody shares someone else''s progress');
select is_empty('select 1 from public.skill_progress', 'a stranger sees no progress');

-- the learner shares with the expert ------------------------------------------------------------------
select tests.authenticate_as(:'learner');
select throws_ok(format($$ insert into public.progress_shares (expert_id) values (%L) $$, :'stranger'), '42501', null,
  'a learner shares only with experts they booked');
select lives_ok(format($$ insert into public.progress_shares (expert_id) values (%L) $$, :'expert'),
  'a learner shares their progress with an expert they booked');
select results_eq('select current_level::int, level_source, target_level::int, sessions_attended::int from public.skill_progress',
  $$ values (3, 'expert_assessment', 4, 1) $$,
  'the learner''s progress combines the latest assessment, the goal and attended sessions');
select is((select count(*)::int from public.progress_timeline), 4, 'the timeline has every event');

select tests.authenticate_as(:'expert');
select isnt_empty('select 1 from public.self_assessments', 'with the share, the expert reads self-assessments');
select results_eq('select current_level::int from public.skill_progress', array[3], 'and the learner''s progress');

select tests.authenticate_as_anon();
select throws_ok('select 1 from public.progress_timeline', '42501', null, 'anon sees no progress (no grant)');

select tests.authenticate_as(:'learner');
select lives_ok('delete from public.progress_shares', 'a learner stops sharing');
select tests.authenticate_as(:'expert');
select is_empty('select 1 from public.learning_goals', 'after which the expert sees the goals no more');
select tests.clear_authentication();

select * from finish();
rollback;
