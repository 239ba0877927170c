-- Demo data for `make dev` (and `supabase db reset`). Fixed ids so that dev tokens and curl lines are stable.
-- Users are written the way Supabase Auth writes a confirmed email user, so `supabase db reset` followed by a
-- password sign-in works: bcrypt password (cost 10), '' rather than NULL in the token columns Auth scans into
-- strings, and an `email` identity whose provider_id is the user id (supabase/auth migrations; see
-- infra/localauth.py). The sign-up trigger creates their profiles. Every demo user's password is
-- `skillswap-demo` (README, "Demo users").
-- demo-users:begin (in a cloud project `python -m infra.admin load-demo` creates these through Auth's admin API)
with demo (id, email, app_meta, user_meta) as (
  values
    ('11111111-1111-4111-8111-111111111111'::uuid, 'ada@skillswap.test',
     '{"provider": "email", "providers": ["email"]}'::jsonb,
     '{"display_name": "Ada Lovelace", "timezone": "Europe/London"}'::jsonb),
    ('22222222-2222-4222-8222-222222222222', 'grace@skillswap.test',
     '{"provider": "email", "providers": ["email"]}', '{"display_name": "Grace Hopper", "timezone": "America/New_York"}'),
    ('33333333-3333-4333-8333-333333333333', 'linus@skillswap.test',
     '{"provider": "email", "providers": ["email"]}', '{"display_name": "Linus Learner", "timezone": "Europe/Helsinki"}'),
    ('44444444-4444-4444-8444-444444444444', 'maya@skillswap.test',
     '{"provider": "email", "providers": ["email"]}', '{"display_name": "Maya Mentee", "timezone": "Asia/Kolkata"}'),
    ('55555555-5555-4555-8555-555555555555', 'admin@skillswap.test',
     '{"provider": "email", "providers": ["email"], "role": "admin"}', '{"display_name": "Sam Admin", "timezone": "UTC"}')
), users as (
  insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                          confirmation_token, recovery_token, email_change_token_new, email_change,
                          raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
  select '00000000-0000-0000-0000-000000000000', d.id, 'authenticated', 'authenticated', d.email,
         extensions.crypt('skillswap-demo', extensions.gen_salt('bf', 10)), now(), '', '', '', '',
         d.app_meta, d.user_meta, now(), now()
  from demo d
  returning id, email, created_at
)
insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
select u.id::text, u.id,
       jsonb_build_object('sub', u.id::text, 'email', u.email, 'email_verified', true, 'phone_verified', false),
       'email', null, u.created_at, u.created_at
from users u;
-- demo-users:end

update public.profiles set
  headline = 'Analytical engines and first programs',
  bio = 'Teaches algorithms from first principles.',
  languages = '{en,fr}'
where id = '11111111-1111-4111-8111-111111111111';

update public.profiles set
  headline = 'Compilers, COBOL and debugging',
  bio = 'Thirty years of shipping compilers; happy to mentor.',
  languages = '{en,es}'
where id = '22222222-2222-4222-8222-222222222222';

update public.profiles set headline = 'Learning systems programming', languages = '{en,fi}'
where id = '33333333-3333-4333-8333-333333333333';

update public.profiles set headline = 'Career switcher into data', languages = '{en,hi}'
where id = '44444444-4444-4444-8444-444444444444';

insert into public.skills (slug, name, category) values
  ('programming', 'Programming', 'Technology'),
  ('data', 'Data', 'Technology'),
  ('design', 'Design', 'Creative'),
  ('languages', 'Languages', 'Humanities');

insert into public.skills (slug, name, category, parent_id)
select v.slug, v.name, v.category, p.id
from (values
  ('python', 'Python', 'Technology', 'programming'),
  ('rust', 'Rust', 'Technology', 'programming'),
  ('algorithms', 'Algorithms', 'Technology', 'programming'),
  ('compilers', 'Compilers', 'Technology', 'programming'),
  ('sql', 'SQL', 'Technology', 'data'),
  ('statistics', 'Statistics', 'Technology', 'data'),
  ('ux-design', 'UX design', 'Creative', 'design'),
  ('spanish', 'Spanish', 'Humanities', 'languages')
) as v (slug, name, category, parent)
join public.skills p on p.slug = v.parent;

insert into public.profile_skills (profile_id, skill_id, relation, level, years)
select v.profile_id::uuid, s.id, v.relation::public.skill_relation, v.level, v.years
from (values
  ('11111111-1111-4111-8111-111111111111', 'algorithms', 'teaches', 5, 12.0),
  ('11111111-1111-4111-8111-111111111111', 'python', 'teaches', 4, 8.0),
  ('22222222-2222-4222-8222-222222222222', 'compilers', 'teaches', 5, 30.0),
  ('22222222-2222-4222-8222-222222222222', 'sql', 'teaches', 4, 10.0),
  ('22222222-2222-4222-8222-222222222222', 'spanish', 'learns', 2, 1.0),
  ('33333333-3333-4333-8333-333333333333', 'rust', 'learns', 2, 0.5),
  ('33333333-3333-4333-8333-333333333333', 'compilers', 'learns', 1, 0.0),
  ('44444444-4444-4444-8444-444444444444', 'python', 'learns', 2, 1.0),
  ('44444444-4444-4444-8444-444444444444', 'statistics', 'learns', 1, 0.0)
) as v (profile_id, slug, relation, level, years)
join public.skills s on s.slug = v.slug;

insert into public.portfolio_items (profile_id, kind, title, description, url, issuer, achieved_on)
values
  ('11111111-1111-4111-8111-111111111111', 'project', 'Notes on the Analytical Engine',
   'The first published algorithm for a machine.', 'https://example.org/notes', null, '1843-09-01'),
  ('22222222-2222-4222-8222-222222222222', 'achievement', 'First compiler (A-0)',
   null, null, 'Remington Rand', '1952-05-01'),
  ('22222222-2222-4222-8222-222222222222', 'certification', 'Rear Admiral', null, null, 'US Navy', '1985-11-08');

-- Grace can be paid (her paid sessions below need it); locally the Connect account is a stand-in.
insert into public.payout_accounts (host_id, stripe_account_id, charges_enabled, payouts_enabled, details_submitted)
values ('22222222-2222-4222-8222-222222222222', 'acct_local_grace', true, true, true);

-- Sessions (times relative to when the seed is loaded), published.
insert into public.sessions (id, host_id, format, title, description, starts_at, ends_at, timezone, capacity,
  price_amount, currency, refund_full_until_hours, refund_late_percent, min_notice_minutes, status, published_at)
values
  ('a0000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', 'workshop',
   'Algorithms from first principles', 'Sorting, searching and the analysis of both, by hand and in Python.',
   date_trunc('hour', now()) + interval '3 days', date_trunc('hour', now()) + interval '3 days 2 hours',
   'Europe/London', 8, 0, 'usd', 24, 0, 60, 'published', now()),
  ('a0000000-0000-4000-8000-000000000002', '22222222-2222-4222-8222-222222222222', 'webinar',
   'How compilers really work', 'From source text to machine code in one evening.',
   date_trunc('hour', now()) + interval '5 days', date_trunc('hour', now()) + interval '5 days 90 minutes',
   'America/New_York', 100, 1500, 'usd', 48, 50, 0, 'published', now()),
  ('a0000000-0000-4000-8000-000000000003', '22222222-2222-4222-8222-222222222222', 'one_on_one',
   'SQL office hours', 'Bring your slowest query.',
   date_trunc('hour', now()) + interval '2 days', date_trunc('hour', now()) + interval '2 days 45 minutes',
   'America/New_York', 1, 4000, 'usd', 24, 0, 120, 'published', now()),
  ('a0000000-0000-4000-8000-000000000004', '11111111-1111-4111-8111-111111111111', 'workshop',
   'Python testing with hypothesis', 'Property-based testing, shrinking and stateful tests.',
   date_trunc('hour', now()) + interval '9 days', date_trunc('hour', now()) + interval '9 days 3 hours',
   'Europe/London', 2, 0, 'usd', 24, 0, 0, 'published', now());

insert into public.session_skills (session_id, skill_id)
select v.session_id::uuid, s.id
from (values
  ('a0000000-0000-4000-8000-000000000001', 'algorithms'),
  ('a0000000-0000-4000-8000-000000000001', 'python'),
  ('a0000000-0000-4000-8000-000000000002', 'compilers'),
  ('a0000000-0000-4000-8000-000000000003', 'sql'),
  ('a0000000-0000-4000-8000-000000000004', 'python')
) as v (session_id, slug)
join public.skills s on s.slug = v.slug;

insert into public.session_links (session_id, meeting_url) values
  ('a0000000-0000-4000-8000-000000000001', 'https://meet.skillswap.test/algorithms'),
  ('a0000000-0000-4000-8000-000000000002', 'https://meet.skillswap.test/compilers'),
  ('a0000000-0000-4000-8000-000000000003', 'https://meet.skillswap.test/sql'),
  ('a0000000-0000-4000-8000-000000000004', 'https://meet.skillswap.test/hypothesis');

insert into public.membership_plans (id, name, description, stripe_price_id, amount, currency, billing_interval,
                                     trial_days) values
  ('plus-monthly', 'SkillSwap Plus (monthly)', 'Every premium article and recording, billed monthly.',
   'price_local_plus_monthly', 1200, 'usd', 'month', 7),
  ('plus-yearly', 'SkillSwap Plus (yearly)', 'Every premium article and recording, two months free.',
   'price_local_plus_yearly', 12000, 'usd', 'year', 0);

-- Premium content: one members' article (free to members, not for sale) and one recording for sale.
insert into public.premium_content (id, kind, title, summary, author_id, price_amount, currency, status) values
  ('c0000000-0000-4000-8000-000000000001', 'article', 'Reading a query plan',
   'How Postgres runs your query, node by node.', '22222222-2222-4222-8222-222222222222', 0, 'usd', 'published'),
  ('c0000000-0000-4000-8000-000000000002', 'recording', 'Compilers from scratch (recording)',
   'Three hours of the compilers workshop, with notes.', '22222222-2222-4222-8222-222222222222', 1500, 'usd',
   'published');
insert into public.premium_content_bodies (content_id, body, url) values
  ('c0000000-0000-4000-8000-000000000001', 'Start from the innermost node...', null),
  ('c0000000-0000-4000-8000-000000000002', 'Chapters: lexing, parsing, code generation.',
   'https://media.skillswap.test/recordings/compilers');
insert into public.premium_content_skills (content_id, skill_id)
  select 'c0000000-0000-4000-8000-000000000001'::uuid, id from public.skills where slug = 'sql'
  union all
  select 'c0000000-0000-4000-8000-000000000002'::uuid, id from public.skills where slug = 'compilers';

-- Mentoring: Ada and Grace mentor; Linus and Maya look for mentors.
insert into public.mentor_profiles (user_id, capacity, years_experience, languages, timezone) values
  ('11111111-1111-4111-8111-111111111111', 3, 12, '{en,fr}', 'Europe/London'),
  ('22222222-2222-4222-8222-222222222222', 2, 30, '{en,es}', 'America/New_York');
insert into public.mentor_skills (mentor_id, skill_id, level)
select v.mentor::uuid, s.id, v.level from (values
  ('11111111-1111-4111-8111-111111111111', 'python', 4), ('11111111-1111-4111-8111-111111111111', 'algorithms', 5),
  ('22222222-2222-4222-8222-222222222222', 'compilers', 5), ('22222222-2222-4222-8222-222222222222', 'sql', 4)
) as v (mentor, slug, level) join public.skills s on s.slug = v.slug;
insert into public.mentee_profiles (user_id, languages, timezone) values
  ('33333333-3333-4333-8333-333333333333', '{en,fi}', 'Europe/Helsinki'),
  ('44444444-4444-4444-8444-444444444444', '{en,hi}', 'Asia/Kolkata');
insert into public.mentee_goals (mentee_id, skill_id, current_level, target_level)
select v.mentee::uuid, s.id, v.cur, v.tgt from (values
  ('33333333-3333-4333-8333-333333333333', 'compilers', 1, 3), ('33333333-3333-4333-8333-333333333333', 'rust', 1, 3),
  ('44444444-4444-4444-8444-444444444444', 'python', 1, 4), ('44444444-4444-4444-8444-444444444444', 'sql', 0, 2)
) as v (mentee, slug, cur, tgt) join public.skills s on s.slug = v.slug;
insert into public.availability_windows (user_id, weekday, start_minute, end_minute) values
  ('11111111-1111-4111-8111-111111111111', 1, 1020, 1200), ('11111111-1111-4111-8111-111111111111', 3, 1020, 1200),
  ('22222222-2222-4222-8222-222222222222', 0, 540, 720), ('22222222-2222-4222-8222-222222222222', 2, 540, 720),
  ('33333333-3333-4333-8333-333333333333', 0, 1020, 1260), ('33333333-3333-4333-8333-333333333333', 3, 1080, 1260),
  ('44444444-4444-4444-8444-444444444444', 1, 1200, 1380), ('44444444-4444-4444-8444-444444444444', 3, 1260, 1410);

-- Community: a forum category per popular skill, and a thread with an accepted answer.
insert into public.forum_categories (slug, name, description, skill_id)
select s.slug, s.name, 'Questions and answers about ' || s.name, s.id from public.skills s
where s.slug in ('python', 'sql', 'compilers');
insert into public.forum_threads (id, category_id, author_id, title, body, tags)
select 'f0000000-0000-4000-8000-000000000001', c.id, '44444444-4444-4444-8444-444444444444',
       'When should I reach for a window function?', 'GROUP BY loses my rows; what is the alternative?', '{sql,analytics}'
from public.forum_categories c where c.slug = 'sql';
insert into public.forum_replies (id, thread_id, author_id, body) values
  ('f0000000-0000-4000-8000-0000000000a1', 'f0000000-0000-4000-8000-000000000001',
   '22222222-2222-4222-8222-222222222222', 'Use one when you need an aggregate next to each row: sum(x) over (partition by y).');
update public.forum_threads set accepted_reply_id = 'f0000000-0000-4000-8000-0000000000a1'
where id = 'f0000000-0000-4000-8000-000000000001';

-- A learner's progress: Maya's SQL self-assessment, her goal, and shared with Grace (whose session she can book).
insert into public.self_assessments (user_id, skill_id, level, note, assessed_on)
select '44444444-4444-4444-8444-444444444444', s.id, v.level, v.note, current_date - v.days_ago
from (values (1, 'Just started', 60), (2, 'Joins make sense now', 10)) as v (level, note, days_ago)
join public.skills s on s.slug = 'sql';
-- Maya's SQL goal (set while looking for a mentor) gets a date and a higher target: one goal, both sides read it.
update public.learning_goals set target_level = 4, target_date = current_date + 120
where user_id = '44444444-4444-4444-8444-444444444444' and status = 'active'
  and skill_id = (select id from public.skills where slug = 'sql');

-- A group with messages and a shared resource: Grace's private SQL circle, Maya a member, Linus asking to join.
insert into public.groups (id, name, description, skill_id, visibility, owner_id)
select 'cafe0000-0000-4000-8000-000000000001', 'SQL study circle', 'Weekly query clinic', s.id, 'private',
       '22222222-2222-4222-8222-222222222222'
from public.skills s where s.slug = 'sql';
insert into public.group_members (group_id, user_id, role, status) values
  ('cafe0000-0000-4000-8000-000000000001', '44444444-4444-4444-8444-444444444444', 'member', 'active'),
  ('cafe0000-0000-4000-8000-000000000001', '33333333-3333-4333-8333-333333333333', 'member', 'pending');
insert into public.group_messages (group_id, author_id, body) values
  ('cafe0000-0000-4000-8000-000000000001', '22222222-2222-4222-8222-222222222222', 'This week: window functions.'),
  ('cafe0000-0000-4000-8000-000000000001', '44444444-4444-4444-8444-444444444444', 'I brought a slow query!');
insert into public.group_resources (id, group_id, author_id, kind, title, url) values
  ('cafe0000-0000-4000-8000-0000000000a1', 'cafe0000-0000-4000-8000-000000000001',
   '22222222-2222-4222-8222-222222222222', 'link', 'PostgreSQL window functions',
   'https://www.postgresql.org/docs/15/tutorial-window.html');
