-- Explicit, least-privilege grants for everything that exists in `public`.
--
-- Since 2026-10-30 Supabase no longer grants new tables, views, sequences and functions in `public` to
-- anon, authenticated and service_role (changelog 45329, "Tables not exposed to Data and GraphQL API
-- automatically"; https://supabase.com/docs/guides/database/data-api "Expose specific tables and functions").
-- Objects created by `postgres` get `postgres`'s default privileges, which are now empty for the API roles
-- (https://supabase.com/kb/troubleshooting/cant-change-the-default-privileges-of-supabase_admin-in-the-public-schema);
-- functions still get Postgres' own default, EXECUTE to PUBLIC, so every function is revoked from PUBLIC here.
--
-- This migration first takes back whatever the old platform default ("grant all to anon, authenticated,
-- service_role") gave the objects of the earlier migrations, then grants exactly what the product needs:
--   * anon / authenticated: `select` where a policy lets them read; column-level `insert` / `update` on the
--     columns a client writes (never owners that default to auth.uid(), counters, statuses or timestamps
--     kept by triggers and SQL functions); `delete` where a policy lets them delete. The Lambdas run as the
--     caller (`set local role authenticated`), so these are also the Lambdas' rights.
--   * service_role (the secret API key: back office and `python -m infra.admin`): reads everything; writes
--     the catalog and demo tables; never the ledgers that only SQL functions keep (bookings, money, events).
--   * no truncate, references or trigger for any API role on anything; no sequence usage (identity columns
--     need none).
-- supabase/tests/database/013-grants.test.sql declares the whole matrix and fails on a missing or extra grant.

-- 1. Take everything back ---------------------------------------------------------------------------------
-- Objects this project creates later get nothing either, whichever Supabase stack runs the migrations (an older
-- `supabase start` image still grants `postgres`'s new objects to the API roles), and new functions are not
-- executable by PUBLIC: each migration grants what its objects need (the KB page above: "control the default
-- privileges of your own objects").
alter default privileges for role postgres in schema public revoke all on tables from anon, authenticated, service_role;
alter default privileges for role postgres in schema public revoke all on sequences from anon, authenticated, service_role;
alter default privileges for role postgres in schema public revoke all on functions from anon, authenticated, service_role;
alter default privileges for role postgres in schema public revoke execute on functions from public;
revoke all on all tables in schema public from anon, authenticated, service_role;
revoke all on all sequences in schema public from anon, authenticated, service_role;
revoke all on all functions in schema public from public, anon, authenticated, service_role;

-- 2. Trigger-kept timestamps that clients used to write themselves ------------------------------------------
create trigger mentor_profiles_set_updated_at before update on public.mentor_profiles
  for each row execute function public.set_updated_at();
create trigger mentee_profiles_set_updated_at before update on public.mentee_profiles
  for each row execute function public.set_updated_at();
create trigger notification_preferences_set_updated_at before update on public.notification_preferences
  for each row execute function public.set_updated_at();

-- The UTC week trigger runs as its owner, so clients need no execute on the helper it calls.
alter function public.profile_week_utc() security definer;

-- 3. Profiles and skills ------------------------------------------------------------------------------------
grant select on public.profiles to authenticated;
grant insert (id, display_name, headline, bio, timezone, languages, avatar_url) on public.profiles to authenticated;
grant update (display_name, headline, bio, timezone, languages, avatar_url) on public.profiles to authenticated;

grant select, delete on public.profile_contacts to authenticated;
grant insert (id, contact_email, phone, website_url) on public.profile_contacts to authenticated;
grant update (contact_email, phone, website_url) on public.profile_contacts to authenticated;

grant select on public.skills to anon, authenticated;

grant select, delete on public.profile_skills to authenticated;
grant insert (profile_id, skill_id, relation, level, years) on public.profile_skills to authenticated;
grant update (level, years) on public.profile_skills to authenticated;

grant select, delete on public.portfolio_items to authenticated;
grant insert (profile_id, kind, title, description, url, issuer, achieved_on, skill_id)
  on public.portfolio_items to authenticated;
grant update (kind, title, description, url, issuer, achieved_on, skill_id) on public.portfolio_items to authenticated;

-- 4. Sessions and bookings ----------------------------------------------------------------------------------
grant select on public.sessions to anon, authenticated;
grant insert (host_id, format, title, description, starts_at, ends_at, timezone, capacity, price_amount, currency,
  refund_full_until_hours, refund_late_percent, min_notice_minutes, waitlist_enabled, hold_minutes,
  claim_window_minutes) on public.sessions to authenticated;
grant update (title, description, starts_at, ends_at, timezone, capacity, price_amount, currency,
  refund_full_until_hours, refund_late_percent, min_notice_minutes, waitlist_enabled, hold_minutes,
  claim_window_minutes) on public.sessions to authenticated;

grant select on public.session_skills to anon, authenticated;
grant insert (session_id, skill_id), delete on public.session_skills to authenticated;

grant select on public.session_links to authenticated;
grant insert (session_id, meeting_url), update (meeting_url) on public.session_links to authenticated;

grant select on public.bookings, public.booking_details, public.refunds, public.reviews to authenticated;

-- 5. Payments -----------------------------------------------------------------------------------------------
grant select on public.membership_plans to anon, authenticated;
grant select on public.stripe_customers, public.payout_accounts, public.entitlements, public.premium_content,
  public.content_purchases to authenticated;

-- 6. Notifications ------------------------------------------------------------------------------------------
grant select on public.notification_preferences to authenticated;
grant insert (user_id, reminders_enabled), update (reminders_enabled) on public.notification_preferences
  to authenticated;
grant select on public.deliveries to authenticated;

-- 7. Matching -----------------------------------------------------------------------------------------------
grant select on public.mentor_profiles to authenticated;
grant insert (user_id, accepting, capacity, years_experience, languages, timezone) on public.mentor_profiles
  to authenticated;
grant update (accepting, capacity, years_experience, languages, timezone) on public.mentor_profiles to authenticated;

grant select, delete on public.mentor_skills to authenticated;
grant insert (mentor_id, skill_id, level), update (level) on public.mentor_skills to authenticated;

grant select on public.mentee_profiles to authenticated;
grant insert (user_id, languages, timezone), update (languages, timezone) on public.mentee_profiles to authenticated;

grant select, delete on public.mentee_goals to authenticated;
grant insert (mentee_id, skill_id, current_level, target_level), update (current_level, target_level)
  on public.mentee_goals to authenticated;

grant select, delete on public.availability_windows to authenticated;
grant insert (user_id, weekday, start_minute, end_minute) on public.availability_windows to authenticated;

grant select on public.mentorships, public.mentor_search, public.cohort_runs, public.proposed_matches,
  public.unmatched_mentees to authenticated;

-- Programs are managed by platform admins (policy: is_platform_admin()).
grant select, delete on public.programs, public.program_members to authenticated;
grant insert (name, created_by), update (name) on public.programs to authenticated;
grant insert (program_id, user_id, role), update (role) on public.program_members to authenticated;

-- 8. Forums -------------------------------------------------------------------------------------------------
grant select on public.forum_categories, public.forum_threads, public.forum_replies to anon, authenticated;
grant insert (id, category_id, title, body, tags), update (title, body, tags) on public.forum_threads to authenticated;
grant insert (id, thread_id, body), update (body) on public.forum_replies to authenticated;
grant select, delete on public.forum_votes to authenticated;
grant insert (post_id, post_kind, value), update (value) on public.forum_votes to authenticated;
grant select on public.forum_member_stats to authenticated;

-- 9. Progress -----------------------------------------------------------------------------------------------
grant select, delete on public.progress_shares to authenticated;
grant insert (expert_id) on public.progress_shares to authenticated;

grant select, delete on public.self_assessments to authenticated;
grant insert (skill_id, level, note, assessed_on), update (level, note, assessed_on)
  on public.self_assessments to authenticated;

grant select on public.expert_assessments to authenticated;
grant insert (learner_id, session_id, skill_id, level, note, assessed_on), update (level, note)
  on public.expert_assessments to authenticated;

grant select, delete on public.learning_goals to authenticated;
grant insert (skill_id, target_level, target_date), update (target_level, target_date, status)
  on public.learning_goals to authenticated;

grant select on public.progress_timeline, public.skill_progress to authenticated;

-- 10. Groups ------------------------------------------------------------------------------------------------
grant select on public.groups to anon, authenticated;
grant insert (id, name, description, skill_id, visibility), update (name, description, skill_id, visibility), delete
  on public.groups to authenticated;
grant select, delete on public.group_members to authenticated;
grant select, delete on public.group_messages to authenticated;
grant insert (group_id, body), update (body) on public.group_messages to authenticated;
grant select, delete on public.group_resources to authenticated;
grant insert (id, group_id, kind, title, url, file_name, size_bytes, mime_type) on public.group_resources
  to authenticated;
grant select, delete on public.resource_comments to authenticated;
grant insert (resource_id, parent_id, body) on public.resource_comments to authenticated;

-- 11. service_role: reads everything; writes catalog and demo tables; never the function-kept ledgers -------
grant select on all tables in schema public to service_role;
grant insert, update, delete on
  public.profiles, public.profile_contacts, public.skills, public.profile_skills, public.portfolio_items,
  public.sessions, public.session_skills, public.session_links,
  public.membership_plans, public.premium_content, public.payout_accounts, public.platform_settings,
  public.notification_preferences,
  public.mentor_profiles, public.mentor_skills, public.mentee_profiles, public.mentee_goals,
  public.availability_windows, public.programs, public.program_members,
  public.forum_categories, public.forum_threads, public.forum_replies,
  public.self_assessments, public.learning_goals,
  public.groups, public.group_members, public.group_messages, public.group_resources, public.resource_comments
to service_role;
-- Views are read-only.
revoke insert, update, delete on public.booking_details, public.progress_timeline, public.skill_progress
  from service_role;

-- 12. Functions ---------------------------------------------------------------------------------------------
-- Called by visitors and members (Data API RPC and the Lambdas).
grant execute on function
  public.host_display_name(uuid),
  public.host_rating(uuid),
  public.waitlist_count(uuid),
  public.search_threads(text, bigint, integer)
to anon, authenticated;

-- Called by members, or evaluated inside their policies, check constraints and generated columns.
grant execute on function
  public.is_valid_timezone(text),
  public.tags_text(text[]),
  public.topic_uuid(text, text),
  public.is_moderator(),
  public.is_platform_admin(),
  public.is_group_member(uuid),
  public.is_group_admin(uuid),
  public.can_read_progress(uuid),
  public.has_active_membership(),
  public.waitlist_position(uuid),
  public.publish_session(uuid),
  public.book_seat(uuid),
  public.book_seat_details(uuid),
  public.cancel_booking(uuid),
  public.cancel_session(uuid, text),
  public.mark_attendance(uuid, public.attendance_mark),
  public.leave_review(uuid, integer, text),
  public.request_mentorship(uuid, text, interval),
  public.respond_mentorship(uuid, boolean),
  public.end_mentorship(uuid),
  public.confirm_cohort_run(uuid),
  public.accept_answer(uuid, uuid),
  public.delete_own_post(text, uuid),
  public.moderate_post(text, uuid, boolean),
  public.lock_thread(uuid, boolean),
  public.join_group(uuid),
  public.approve_member(uuid, uuid),
  public.group_messages_since(uuid, bigint, integer)
to authenticated;

-- The service role writes catalog and demo rows: the check constraints and generated columns of those tables.
grant execute on function public.is_valid_timezone(text), public.tags_text(text[]) to service_role;

-- Scheduled jobs, callable with the secret key (the Lambdas' system connection is the database owner).
grant execute on function
  public.expire_holds(integer),
  public.purge_idempotency_keys(interval),
  public.expire_mentorship_requests(),
  public.fail_stale_cohort_runs()
to service_role;
-- Everything else (trigger functions, ledger writers, Stripe event appliers, outbox and reminder helpers) is
-- executable by its owner only.
