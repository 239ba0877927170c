-- RLS on matching: mentor data public to signed-in users, mentee goals private, availability public only for
-- mentors, mentorships visible to their two parties, cohort data to platform admins only; capacity not client-writable.
begin;
select plan(24);

select tests.create_user('mentor@example.test') as mentor \gset
select tests.create_user('mentee@example.test') as mentee \gset
select tests.create_user('other@example.test') as other \gset
select tests.create_user('admin@example.test', 'admin') as admin \gset
insert into public.skills (slug, name, category) values ('go', 'Go', 'Tech');
select id as go from public.skills where slug = 'go' \gset
insert into public.mentor_profiles (user_id, capacity) values (:'mentor', 1);
insert into public.mentor_skills values (:'mentor', :go, 5);
insert into public.mentee_profiles (user_id) values (:'mentee');
insert into public.mentee_goals values (:'mentee', :go, 1, 4);
insert into public.availability_windows (user_id, weekday, start_minute, end_minute)
  values (:'mentor', 0, 600, 700), (:'mentee', 1, 600, 700);
insert into public.programs (id, name) values ('dddddddd-0000-4000-8000-000000000001', 'Cohort');
insert into public.cohort_runs (id, program_id, status, total_score, solver, solve_ms)
  values ('dddddddd-0000-4000-8000-000000000002', 'dddddddd-0000-4000-8000-000000000001', 'proposed', 1, 'x', 1);

-- anon ------------------------------------------------------------------------------------------------
select tests.authenticate_as_anon();
select throws_ok('select 1 from public.mentor_profiles', '42501', null, 'anon reads no mentor profiles (no grant)');
select throws_ok('select 1 from public.availability_windows', '42501', null, 'anon reads no availability (no grant)');
select throws_ok(format($$ select public.request_mentorship(%L, 'hi') $$, :'mentor'), '42501', null,
  'anon cannot request mentorship');

-- another signed-in user ------------------------------------------------------------------------------
select tests.authenticate_as(:'other');
select isnt_empty('select 1 from public.mentor_profiles', 'signed-in users read mentor profiles');
select isnt_empty('select 1 from public.mentor_skills', 'signed-in users read mentor skills');
select results_eq('select user_id from public.availability_windows', array[:'mentor'::uuid],
  'signed-in users see mentors'' availability but not a mentee''s');
select is_empty('select 1 from public.mentee_goals', 'mentee goals are private');
select is_empty('select 1 from public.mentee_profiles', 'mentee profiles are private');
select is_empty(format($$ update public.mentor_profiles set capacity = 50 where user_id = %L returning 1 $$, :'mentor'),
  'nobody changes another mentor''s profile');
select throws_ok(format($$ insert into public.mentor_skills values (%L, %s, 1) $$, :'mentor', :go), '42501', null,
  'nobody adds skills to another mentor');
select is_empty('select 1 from public.programs', 'non-members see no programs');
select is_empty('select 1 from public.cohort_runs', 'non-admins see no cohort runs');
select throws_ok($$ select public.confirm_cohort_run('dddddddd-0000-4000-8000-000000000002') $$, 'SS403', null,
  'non-admins cannot confirm cohort runs');
select throws_ok($$ select public.expire_mentorship_requests() $$, '42501', null, 'clients cannot run the expiry sweep');

-- the mentee and the mentor ---------------------------------------------------------------------------
select tests.authenticate_as(:'mentee');
select results_eq('select target_level::int from public.mentee_goals', array[4], 'a mentee reads their own goals');
select is((public.request_mentorship(:'mentor', 'hello')).status::text, 'requested', 'a mentee requests a mentor');
select throws_ok($$ insert into public.mentorships (mentor_id, mentee_id, status) values
  (auth.uid(), auth.uid(), 'active') $$, '42501', null, 'mentorships are not client-writable');
select tests.authenticate_as(:'other');
select is_empty('select 1 from public.mentorships', 'outsiders do not see the mentorship');
select tests.authenticate_as(:'mentor');
select isnt_empty('select 1 from public.mentorships', 'the mentor sees the request');
select throws_ok($$ update public.mentor_profiles set active_mentees = 0 $$, '42501', null,
  'the mentor cannot reset their own active count');
select lives_ok($$ update public.mentor_profiles set accepting = false $$, 'the mentor pauses their profile');

-- admin -----------------------------------------------------------------------------------------------
select tests.authenticate_as(:'admin');
select isnt_empty('select 1 from public.cohort_runs', 'admins read cohort runs');
select isnt_empty('select 1 from public.programs', 'admins read programs');
select tests.authenticate_as_service_role();
select throws_ok($$ select public.expire_mentorship_requests() $$, '42501', null,
  'the expiry sweep is internal: not even the service role runs it');
select tests.clear_authentication();

select * from finish();
rollback;
