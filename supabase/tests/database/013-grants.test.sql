-- The grant contract: every privilege an API role (anon, authenticated, service_role) or PUBLIC holds on
-- anything in `public` is declared here, and the catalog must match it exactly: a missing grant fails, and so
-- does a grant nobody declared. Every relation and function in `public` must be declared (with or without
-- grants), so a new object fails this file until its migration grants what it needs and this file says so.
-- Since 2026-10-30 Supabase grants nothing by default (changelog 45329), so these are all the privileges there
-- are. Also: no truncate/references/trigger and no sequence privileges for API roles anywhere; every relation
-- an API role can read has RLS (views: security_invoker); every policy's roles hold the privilege it governs.
begin;
select plan(10);
set local search_path = public, extensions;

create temporary table declared_relations (relname text primary key) on commit drop;
insert into declared_relations values
    ('availability_windows'),
    ('booking_details'),
    ('bookings'),
    ('cohort_runs'),
    ('content_purchases'),
    ('deliveries'),
    ('entitlements'),
    ('expert_assessments'),
    ('forum_categories'),
    ('forum_member_stats'),
    ('forum_replies'),
    ('forum_threads'),
    ('forum_votes'),
    ('group_members'),
    ('group_messages'),
    ('group_resources'),
    ('groups'),
    ('idempotency_keys'),
    ('learning_goals'),
    ('membership_plans'),
    ('mentee_goals'),
    ('mentee_profiles'),
    ('mentor_profiles'),
    ('mentor_search'),
    ('mentor_skills'),
    ('mentorships'),
    ('notification_preferences'),
    ('outbox_events'),
    ('payout_accounts'),
    ('platform_settings'),
    ('portfolio_items'),
    ('premium_content'),
    ('profile_contacts'),
    ('profile_skills'),
    ('profiles'),
    ('program_members'),
    ('programs'),
    ('progress_shares'),
    ('progress_timeline'),
    ('proposed_matches'),
    ('refunds'),
    ('resource_comments'),
    ('reviews'),
    ('self_assessments'),
    ('session_links'),
    ('session_skills'),
    ('sessions'),
    ('skill_progress'),
    ('skills'),
    ('stripe_customers'),
    ('stripe_events'),
    ('unmatched_mentees'),
    ('write_counters');

create temporary table declared_functions (signature text primary key) on commit drop;
insert into declared_functions values
    ('broadcast_forum_post()'),
    ('count_write(text)'),
    ('count_write_trigger()'),
    ('purge_write_counters()'),
    ('accept_answer(uuid,uuid)'),
    ('apply_account_state(text,boolean,boolean,boolean,timestamp with time zone)'),
    ('apply_invoice(text,text,boolean,timestamp with time zone,timestamp with time zone)'),
    ('apply_subscription_state(text,text,text,text,timestamp with time zone,boolean,timestamp with time zone,timestamp with time zone)'),
    ('approve_member(uuid,uuid)'),
    ('assert_bookable(sessions,uuid)'),
    ('availability_changed()'),
    ('book_seat(uuid)'),
    ('book_or_find_seat(uuid)'),
    ('book_seat_details(uuid)'),
    ('book_seat_idempotent(uuid,text,text)'),
    ('bookings_reminders()'),
    ('broadcast_booking_status()'),
    ('broadcast_group_message()'),
    ('broadcast_seats()'),
    ('can_read_progress(uuid)'),
    ('cancel_booking(uuid)'),
    ('cancel_session(uuid,text)'),
    ('claim_idempotency_key(text,text)'),
    ('claim_stripe_event(text,text,timestamp with time zone)'),
    ('confirm_cohort_run(uuid)'),
    ('delete_own_post(text,uuid)'),
    ('end_mentorship(uuid)'),
    ('enqueue_event(text,uuid,uuid,uuid,jsonb)'),
    ('expire_holds(integer)'),
    ('expire_mentorship_requests()'),
    ('fail_stale_cohort_runs()'),
    ('forum_bump_stats(uuid,integer,integer,integer)'),
    ('forum_replies_counts()'),
    ('forum_threads_counts()'),
    ('forum_votes_counts()'),
    ('group_messages_since(uuid,bigint,integer)'),
    ('groups_add_owner()'),
    ('handle_new_user()'),
    ('has_active_membership()'),
    ('host_display_name(uuid)'),
    ('host_rating(uuid)'),
    ('is_group_admin(uuid)'),
    ('is_group_member(uuid)'),
    ('is_group_owner(uuid)'),
    ('is_moderator()'),
    ('is_platform_admin()'),
    ('is_valid_timezone(text)'),
    ('join_group(uuid)'),
    ('leave_review(uuid,integer,text)'),
    ('lock_thread(uuid,boolean)'),
    ('mark_attendance(uuid,attendance_mark)'),
    ('mentor_search_sync()'),
    ('moderate_post(text,uuid,boolean)'),
    ('outbox_to_delivery()'),
    ('preferences_changed()'),
    ('profile_week_utc()'),
    ('promote_waitlist(uuid)'),
    ('publish_session(uuid)'),
    ('purge_idempotency_keys(interval)'),
    ('record_charge_refunded(text,text[])'),
    ('record_payment_failed(uuid,text)'),
    ('record_payment_succeeded(uuid,text,text,integer,text)'),
    ('refresh_mentor_search(uuid[])'),
    ('refresh_week_utc(uuid)'),
    ('refund_percent_for(sessions,timestamp with time zone)'),
    ('remove_participant(uuid,text)'),
    ('request_mentorship(uuid,text,interval)'),
    ('respond_mentorship(uuid,boolean)'),
    ('save_idempotent_response(text,integer,jsonb)'),
    ('schedule_reminders(uuid)'),
    ('search_threads(text,bigint,integer)'),
    ('set_group_role(uuid,uuid,text)'),
    ('sessions_guard_price()'),
    ('sessions_guard_update()'),
    ('sessions_moved()'),
    ('sessions_promote_on_capacity()'),
    ('set_updated_at()'),
    ('tags_text(text[])'),
    ('topic_uuid(text,text)'),
    ('transfer_group_ownership(uuid,uuid)'),
    ('utc_week_at(uuid,text,date)'),
    ('utc_week_of(uuid,text)'),
    ('void_pending_reminders(uuid,text)'),
    ('waitlist_count(uuid)'),
    ('waitlist_position(uuid)');

-- Table-level privileges (comma-separated, sorted).
create temporary table declared_table_grants (grantee text, relname text, privileges text) on commit drop;
insert into declared_table_grants values
    ('authenticated', 'availability_windows', 'DELETE,SELECT'),
    ('service_role', 'availability_windows', 'DELETE,INSERT,SELECT,UPDATE'),
    ('authenticated', 'booking_details', 'SELECT'),
    ('service_role', 'booking_details', 'SELECT'),
    ('authenticated', 'bookings', 'SELECT'),
    ('service_role', 'bookings', 'SELECT'),
    ('authenticated', 'cohort_runs', 'SELECT'),
    ('service_role', 'cohort_runs', 'SELECT'),
    ('authenticated', 'content_purchases', 'SELECT'),
    ('service_role', 'content_purchases', 'SELECT'),
    ('authenticated', 'deliveries', 'SELECT'),
    ('service_role', 'deliveries', 'SELECT'),
    ('authenticated', 'entitlements', 'SELECT'),
    ('service_role', 'entitlements', 'SELECT'),
    ('authenticated', 'expert_assessments', 'SELECT'),
    ('service_role', 'expert_assessments', 'SELECT'),
    ('anon', 'forum_categories', 'SELECT'),
    ('authenticated', 'forum_categories', 'SELECT'),
    ('service_role', 'forum_categories', 'DELETE,INSERT,SELECT,UPDATE'),
    ('authenticated', 'forum_member_stats', 'SELECT'),
    ('service_role', 'forum_member_stats', 'SELECT'),
    ('anon', 'forum_replies', 'SELECT'),
    ('authenticated', 'forum_replies', 'SELECT'),
    ('service_role', 'forum_replies', 'DELETE,INSERT,SELECT,UPDATE'),
    ('anon', 'forum_threads', 'SELECT'),
    ('authenticated', 'forum_threads', 'SELECT'),
    ('service_role', 'forum_threads', 'DELETE,INSERT,SELECT,UPDATE'),
    ('authenticated', 'forum_votes', 'DELETE,SELECT'),
    ('service_role', 'forum_votes', 'SELECT'),
    ('authenticated', 'group_members', 'DELETE,SELECT'),
    ('service_role', 'group_members', 'DELETE,INSERT,SELECT,UPDATE'),
    ('authenticated', 'group_messages', 'DELETE,SELECT'),
    ('service_role', 'group_messages', 'DELETE,INSERT,SELECT,UPDATE'),
    ('authenticated', 'group_resources', 'DELETE,SELECT'),
    ('service_role', 'group_resources', 'DELETE,INSERT,SELECT,UPDATE'),
    ('anon', 'groups', 'SELECT'),
    ('authenticated', 'groups', 'DELETE,SELECT'),
    ('service_role', 'groups', 'DELETE,INSERT,SELECT,UPDATE'),
    ('service_role', 'idempotency_keys', 'SELECT'),
    ('authenticated', 'learning_goals', 'DELETE,SELECT'),
    ('service_role', 'learning_goals', 'DELETE,INSERT,SELECT,UPDATE'),
    ('anon', 'membership_plans', 'SELECT'),
    ('authenticated', 'membership_plans', 'SELECT'),
    ('service_role', 'membership_plans', 'DELETE,INSERT,SELECT,UPDATE'),
    ('authenticated', 'mentee_goals', 'DELETE,SELECT'),
    ('service_role', 'mentee_goals', 'DELETE,INSERT,SELECT,UPDATE'),
    ('authenticated', 'mentee_profiles', 'SELECT'),
    ('service_role', 'mentee_profiles', 'DELETE,INSERT,SELECT,UPDATE'),
    ('authenticated', 'mentor_profiles', 'SELECT'),
    ('service_role', 'mentor_profiles', 'DELETE,INSERT,SELECT,UPDATE'),
    ('authenticated', 'mentor_search', 'SELECT'),
    ('service_role', 'mentor_search', 'SELECT'),
    ('authenticated', 'mentor_skills', 'DELETE,SELECT'),
    ('service_role', 'mentor_skills', 'DELETE,INSERT,SELECT,UPDATE'),
    ('authenticated', 'mentorships', 'SELECT'),
    ('service_role', 'mentorships', 'SELECT'),
    ('authenticated', 'notification_preferences', 'SELECT'),
    ('service_role', 'notification_preferences', 'DELETE,INSERT,SELECT,UPDATE'),
    ('service_role', 'outbox_events', 'SELECT'),
    ('authenticated', 'payout_accounts', 'SELECT'),
    ('service_role', 'payout_accounts', 'DELETE,INSERT,SELECT,UPDATE'),
    ('service_role', 'platform_settings', 'DELETE,INSERT,SELECT,UPDATE'),
    ('authenticated', 'portfolio_items', 'DELETE,SELECT'),
    ('service_role', 'portfolio_items', 'DELETE,INSERT,SELECT,UPDATE'),
    ('authenticated', 'premium_content', 'DELETE,SELECT'),
    ('anon', 'premium_content', 'SELECT'),
    ('service_role', 'premium_content', 'DELETE,INSERT,SELECT,UPDATE'),
    ('authenticated', 'profile_contacts', 'DELETE,SELECT'),
    ('service_role', 'profile_contacts', 'DELETE,INSERT,SELECT,UPDATE'),
    ('authenticated', 'profile_skills', 'DELETE,SELECT'),
    ('service_role', 'profile_skills', 'DELETE,INSERT,SELECT,UPDATE'),
    ('authenticated', 'profiles', 'SELECT'),
    ('service_role', 'profiles', 'DELETE,INSERT,SELECT,UPDATE'),
    ('authenticated', 'program_members', 'DELETE,SELECT'),
    ('service_role', 'program_members', 'DELETE,INSERT,SELECT,UPDATE'),
    ('authenticated', 'programs', 'DELETE,SELECT'),
    ('service_role', 'programs', 'DELETE,INSERT,SELECT,UPDATE'),
    ('authenticated', 'progress_shares', 'DELETE,SELECT'),
    ('service_role', 'progress_shares', 'SELECT'),
    ('authenticated', 'progress_timeline', 'SELECT'),
    ('service_role', 'progress_timeline', 'SELECT'),
    ('authenticated', 'proposed_matches', 'SELECT'),
    ('service_role', 'proposed_matches', 'SELECT'),
    ('authenticated', 'refunds', 'SELECT'),
    ('service_role', 'refunds', 'SELECT'),
    ('authenticated', 'resource_comments', 'DELETE,SELECT'),
    ('service_role', 'resource_comments', 'DELETE,INSERT,SELECT,UPDATE'),
    ('authenticated', 'reviews', 'SELECT'),
    ('service_role', 'reviews', 'SELECT'),
    ('authenticated', 'self_assessments', 'DELETE,SELECT'),
    ('service_role', 'self_assessments', 'DELETE,INSERT,SELECT,UPDATE'),
    ('authenticated', 'session_links', 'SELECT'),
    ('service_role', 'session_links', 'DELETE,INSERT,SELECT,UPDATE'),
    ('anon', 'session_skills', 'SELECT'),
    ('authenticated', 'session_skills', 'DELETE,SELECT'),
    ('service_role', 'session_skills', 'DELETE,INSERT,SELECT,UPDATE'),
    ('anon', 'sessions', 'SELECT'),
    ('authenticated', 'sessions', 'SELECT'),
    ('service_role', 'sessions', 'DELETE,INSERT,SELECT,UPDATE'),
    ('authenticated', 'skill_progress', 'SELECT'),
    ('service_role', 'skill_progress', 'SELECT'),
    ('anon', 'skills', 'SELECT'),
    ('authenticated', 'skills', 'SELECT'),
    ('service_role', 'skills', 'DELETE,INSERT,SELECT,UPDATE'),
    ('authenticated', 'stripe_customers', 'SELECT'),
    ('service_role', 'stripe_customers', 'SELECT'),
    ('service_role', 'stripe_events', 'SELECT'),
    ('service_role', 'write_counters', 'SELECT'),
    ('authenticated', 'unmatched_mentees', 'SELECT'),
    ('service_role', 'unmatched_mentees', 'SELECT');

-- Column-level privileges: the only way a client inserts or updates (sorted column lists).
create temporary table declared_column_grants (grantee text, relname text, privilege text, columns text) on commit drop;
insert into declared_column_grants values
    ('authenticated', 'availability_windows', 'INSERT', 'end_minute,start_minute,user_id,weekday'),
    ('authenticated', 'expert_assessments', 'INSERT', 'assessed_on,learner_id,level,note,session_id,skill_id'),
    ('authenticated', 'expert_assessments', 'UPDATE', 'level,note'),
    ('authenticated', 'forum_replies', 'INSERT', 'body,id,thread_id'),
    ('authenticated', 'forum_replies', 'UPDATE', 'body'),
    ('authenticated', 'forum_threads', 'INSERT', 'body,category_id,id,tags,title'),
    ('authenticated', 'forum_threads', 'UPDATE', 'body,tags,title'),
    ('authenticated', 'forum_votes', 'INSERT', 'post_id,post_kind,value'),
    ('authenticated', 'forum_votes', 'UPDATE', 'value'),
    ('authenticated', 'group_messages', 'INSERT', 'body,group_id'),
    ('authenticated', 'group_messages', 'UPDATE', 'body'),
    ('authenticated', 'group_resources', 'INSERT', 'file_name,group_id,id,kind,mime_type,object_name,size_bytes,title,url'),
    ('authenticated', 'groups', 'INSERT', 'description,id,name,skill_id,visibility'),
    ('authenticated', 'groups', 'UPDATE', 'description,name,skill_id,visibility'),
    ('authenticated', 'learning_goals', 'INSERT', 'current_level,skill_id,target_date,target_level'),
    ('authenticated', 'learning_goals', 'UPDATE', 'current_level,status,target_date,target_level'),
    ('authenticated', 'mentee_goals', 'INSERT', 'current_level,mentee_id,skill_id,target_level'),
    ('authenticated', 'mentee_goals', 'UPDATE', 'current_level,target_level'),
    ('authenticated', 'mentee_profiles', 'INSERT', 'languages,timezone,user_id'),
    ('authenticated', 'mentee_profiles', 'UPDATE', 'languages,timezone'),
    ('authenticated', 'mentor_profiles', 'INSERT', 'accepting,capacity,languages,timezone,user_id,years_experience'),
    ('authenticated', 'mentor_profiles', 'UPDATE', 'accepting,capacity,languages,timezone,years_experience'),
    ('authenticated', 'mentor_skills', 'INSERT', 'level,mentor_id,skill_id'),
    ('authenticated', 'mentor_skills', 'UPDATE', 'level'),
    ('authenticated', 'notification_preferences', 'INSERT', 'reminders_enabled,user_id'),
    ('authenticated', 'notification_preferences', 'UPDATE', 'reminders_enabled'),
    ('authenticated', 'portfolio_items', 'INSERT', 'achieved_on,description,issuer,kind,profile_id,skill_id,title,url'),
    ('authenticated', 'portfolio_items', 'UPDATE', 'achieved_on,description,issuer,kind,skill_id,title,url'),
    ('authenticated', 'profile_contacts', 'INSERT', 'contact_email,id,phone,website_url'),
    ('authenticated', 'profile_contacts', 'UPDATE', 'contact_email,phone,website_url'),
    ('authenticated', 'profile_skills', 'INSERT', 'level,profile_id,relation,skill_id,years'),
    ('authenticated', 'profile_skills', 'UPDATE', 'level,years'),
    ('authenticated', 'profiles', 'INSERT', 'avatar_url,bio,display_name,headline,id,languages,timezone'),
    ('authenticated', 'profiles', 'UPDATE', 'avatar_url,bio,display_name,headline,languages,timezone'),
    ('authenticated', 'program_members', 'INSERT', 'program_id,role,user_id'),
    ('authenticated', 'program_members', 'UPDATE', 'role'),
    ('authenticated', 'programs', 'INSERT', 'created_by,name'),
    ('authenticated', 'programs', 'UPDATE', 'name'),
    ('authenticated', 'progress_shares', 'INSERT', 'expert_id'),
    ('authenticated', 'resource_comments', 'INSERT', 'body,parent_id,resource_id'),
    ('authenticated', 'self_assessments', 'INSERT', 'assessed_on,level,note,skill_id'),
    ('authenticated', 'self_assessments', 'UPDATE', 'assessed_on,level,note'),
    ('authenticated', 'session_links', 'INSERT', 'meeting_url,session_id'),
    ('authenticated', 'session_links', 'UPDATE', 'meeting_url'),
    ('authenticated', 'session_skills', 'INSERT', 'session_id,skill_id'),
    ('authenticated', 'sessions', 'INSERT', 'capacity,claim_window_minutes,currency,description,ends_at,format,hold_minutes,host_id,min_notice_minutes,price_amount,refund_full_until_hours,refund_late_percent,reserved_for,starts_at,timezone,title,waitlist_enabled'),
    ('authenticated', 'sessions', 'UPDATE', 'capacity,claim_window_minutes,currency,description,ends_at,hold_minutes,min_notice_minutes,price_amount,refund_full_until_hours,refund_late_percent,starts_at,timezone,title,waitlist_enabled');

-- EXECUTE (PUBLIC included: Postgres grants it on every new function unless a migration revokes it).
create temporary table declared_execute (grantee text, signature text) on commit drop;
insert into declared_execute values
    ('authenticated', 'accept_answer(uuid,uuid)'),
    ('authenticated', 'approve_member(uuid,uuid)'),
    ('authenticated', 'book_seat(uuid)'),
    ('authenticated', 'book_or_find_seat(uuid)'),
    ('authenticated', 'book_seat_details(uuid)'),
    ('authenticated', 'book_seat_idempotent(uuid,text,text)'),
    ('authenticated', 'can_read_progress(uuid)'),
    ('authenticated', 'cancel_booking(uuid)'),
    ('authenticated', 'cancel_session(uuid,text)'),
    ('authenticated', 'confirm_cohort_run(uuid)'),
    ('authenticated', 'delete_own_post(text,uuid)'),
    ('authenticated', 'end_mentorship(uuid)'),
    ('authenticated', 'group_messages_since(uuid,bigint,integer)'),
    ('authenticated', 'has_active_membership()'),
    ('anon', 'host_display_name(uuid)'),
    ('authenticated', 'host_display_name(uuid)'),
    ('anon', 'host_rating(uuid)'),
    ('authenticated', 'host_rating(uuid)'),
    ('authenticated', 'is_group_admin(uuid)'),
    ('authenticated', 'is_group_member(uuid)'),
    ('authenticated', 'is_group_owner(uuid)'),
    ('authenticated', 'is_moderator()'),
    ('authenticated', 'is_platform_admin()'),
    ('authenticated', 'is_valid_timezone(text)'),
    ('service_role', 'is_valid_timezone(text)'),
    ('authenticated', 'join_group(uuid)'),
    ('authenticated', 'leave_review(uuid,integer,text)'),
    ('authenticated', 'lock_thread(uuid,boolean)'),
    ('authenticated', 'mark_attendance(uuid,attendance_mark)'),
    ('authenticated', 'moderate_post(text,uuid,boolean)'),
    ('authenticated', 'publish_session(uuid)'),
    ('authenticated', 'remove_participant(uuid,text)'),
    ('authenticated', 'request_mentorship(uuid,text,interval)'),
    ('authenticated', 'respond_mentorship(uuid,boolean)'),
    ('anon', 'search_threads(text,bigint,integer)'),
    ('authenticated', 'search_threads(text,bigint,integer)'),
    ('authenticated', 'set_group_role(uuid,uuid,text)'),
    ('authenticated', 'tags_text(text[])'),
    ('service_role', 'tags_text(text[])'),
    ('authenticated', 'topic_uuid(text,text)'),
    ('authenticated', 'transfer_group_ownership(uuid,uuid)'),
    ('anon', 'waitlist_count(uuid)'),
    ('authenticated', 'waitlist_count(uuid)'),
    ('authenticated', 'waitlist_position(uuid)');

create temporary view api_grantees (oid, name) as
  select 0::oid, 'PUBLIC' union all
  select oid, rolname::text from pg_roles where rolname in ('anon', 'authenticated', 'service_role');

-- Payments home (20261130000900): memberships' invoices, premium content as a product.
insert into declared_relations values ('membership_invoices'), ('premium_content_bodies'), ('premium_content_skills');
insert into declared_functions values
    ('apply_membership_invoice(text,text,text,text,integer,integer,text,timestamp with time zone,text,timestamp with time zone,boolean,boolean,timestamp with time zone)'), ('author_display_name(uuid)'), ('can_read_content_body(uuid)'), ('is_content_author(uuid)'),
    ('membership_is_live(text)'), ('premium_content_guard()'), ('record_content_purchase(uuid,uuid,text,integer,text,integer,boolean)');
insert into declared_table_grants values
    ('authenticated', 'membership_invoices', 'SELECT'),
    ('service_role', 'membership_invoices', 'SELECT'),
    ('authenticated', 'premium_content_bodies', 'SELECT'),
    ('service_role', 'premium_content_bodies', 'DELETE,INSERT,SELECT,UPDATE'),
    ('anon', 'premium_content_skills', 'SELECT'),
    ('authenticated', 'premium_content_skills', 'DELETE,INSERT,SELECT'),
    ('service_role', 'premium_content_skills', 'DELETE,INSERT,SELECT,UPDATE');
insert into declared_column_grants values
    ('authenticated', 'premium_content', 'INSERT', 'author_id,currency,id,kind,price_amount,summary,title'),
    ('authenticated', 'premium_content', 'UPDATE', 'currency,kind,price_amount,status,summary,title'),
    ('authenticated', 'premium_content_bodies', 'INSERT', 'body,content_id,url'),
    ('authenticated', 'premium_content_bodies', 'UPDATE', 'body,url');
insert into declared_execute values
    ('anon', 'author_display_name(uuid)'), ('authenticated', 'author_display_name(uuid)'),
    ('authenticated', 'can_read_content_body(uuid)'), ('authenticated', 'is_content_author(uuid)');

-- Notifications for everyone (20261130001000): the kinds catalogue and per-kind mutes.
insert into declared_relations values ('notification_kinds'), ('notification_mutes');
insert into declared_functions values
    ('notification_muted(uuid,text)'), ('notify_answer_accepted()'), ('notify_forum_reply()'),
    ('notify_group_join_request()'), ('notify_host_of_booking()'), ('notify_mentorship_expired()'),
    ('outbox_enrich()'), ('schedule_host_reminders()');
insert into declared_table_grants values
    ('anon', 'notification_kinds', 'SELECT'),
    ('authenticated', 'notification_kinds', 'SELECT'),
    ('service_role', 'notification_kinds', 'SELECT'),
    ('authenticated', 'notification_mutes', 'DELETE,SELECT'),
    ('service_role', 'notification_mutes', 'SELECT');
insert into declared_column_grants values ('authenticated', 'notification_mutes', 'INSERT', 'kind');

-- Group files in Storage (20261130001100).
insert into declared_functions values ('group_of_object(text)'), ('group_resources_check_object()');
insert into declared_execute values ('authenticated', 'group_of_object(text)');

-- Mentorship in use (20261130001200) and one goals model (20261130001300).
insert into declared_relations values ('mentorship_messages');
insert into declared_functions values
    ('broadcast_mentorship_message()'), ('bookings_guard_reservation()'), ('is_mentorship_party(uuid)'),
    ('mentors_actively(uuid,uuid)'), ('mentorship_is_active(uuid)'), ('sessions_guard_reservation()'),
    ('mentee_goals_write()');
insert into declared_table_grants values
    ('authenticated', 'mentorship_messages', 'SELECT'), ('service_role', 'mentorship_messages', 'SELECT');
insert into declared_column_grants values ('authenticated', 'mentorship_messages', 'INSERT', 'body,mentorship_id');
insert into declared_execute values
    ('authenticated', 'is_mentorship_party(uuid)'), ('authenticated', 'mentorship_is_active(uuid)');

-- The mail account's send slots (20261130001600): read by the service role, written by the dispatcher only.
insert into declared_relations values ('mail_send_pacing');
insert into declared_functions values ('reserve_mail_sends(integer,double precision)');
insert into declared_table_grants values ('service_role', 'mail_send_pacing', 'SELECT');

-- A Stripe event claimed, applied and settled in one statement (20261130002000): the webhook function only.
insert into declared_functions values ('settle_stripe_event(text,text)');

-- The dispatcher's hand-over mark (20261130002100): the reminders function only.
insert into declared_functions values ('hand_over_delivery(bigint,bigint,text)');

-- Browse under RLS (20261130001400).
insert into declared_functions values ('search_session_ids(timestamp with time zone,integer,text,session_format,integer,integer,timestamp with time zone,uuid,text,timestamp with time zone,uuid)');
insert into declared_execute values ('anon', 'search_session_ids(timestamp with time zone,integer,text,session_format,integer,integer,timestamp with time zone,uuid,text,timestamp with time zone,uuid)'), ('authenticated', 'search_session_ids(timestamp with time zone,integer,text,session_format,integer,integer,timestamp with time zone,uuid,text,timestamp with time zone,uuid)');

-- The weeks' bucket summaries (20261201000200): the ranking calls the function as the mentee.
insert into declared_functions values ('week_buckets(int4multirange)');
insert into declared_execute values ('authenticated', 'week_buckets(int4multirange)');

-- The weeks' 15-minute slots (20261201000400): the ranking calls the function as the mentee.
insert into declared_functions values ('week_slots(int4multirange)');
insert into declared_execute values ('authenticated', 'week_slots(int4multirange)');

-- The candidate ranking (20261201000600): the matching function calls it as the mentee.
insert into declared_functions values ('mentor_candidates(integer)');
insert into declared_execute values ('authenticated', 'mentor_candidates(integer)');

-- Open mentors by bucket of the week (20261201000300): read as mentor_search is.
insert into declared_relations values ('mentor_search_by_bucket');
insert into declared_table_grants values
    ('authenticated', 'mentor_search_by_bucket', 'SELECT'), ('service_role', 'mentor_search_by_bucket', 'SELECT');

-- Stored weeks follow the clocks (20261201000800): internal, run by the hourly sweep on the jobs' connection.
insert into declared_relations values ('utc_week_patterns');
insert into declared_table_grants values ('service_role', 'utc_week_patterns', 'SELECT');
insert into declared_functions values
    ('note_week_patterns()'), ('refresh_stale_weeks(integer)'), ('utc_monday(date)'), ('utc_week_pattern(text,date)');

select set_eq(
  $$ select c.relname::text from pg_class c
     where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'v', 'p', 'm', 'f') $$,
  'select relname from declared_relations',
  'every relation in public is declared here (a new table needs its grants and a line in this file)');

select set_eq(
  $$ select p.oid::regprocedure::text from pg_proc p where p.pronamespace = 'public'::regnamespace $$,
  'select signature from declared_functions',
  'every function in public is declared here');

select set_eq(
  $$ select g.name, c.relname::text, string_agg(a.privilege_type, ',' order by a.privilege_type)
     from pg_class c, aclexplode(c.relacl) a join api_grantees g on g.oid = a.grantee
     where c.relnamespace = 'public'::regnamespace
     group by g.name, c.relname $$,
  'select grantee, relname, privileges from declared_table_grants',
  'table-level grants to the API roles are exactly the declared ones');

select set_eq(
  $$ select g.name, c.relname::text, a.privilege_type, string_agg(att.attname::text, ',' order by att.attname)
     from pg_class c
     join pg_attribute att on att.attrelid = c.oid and att.attnum > 0 and not att.attisdropped,
     aclexplode(att.attacl) a join api_grantees g on g.oid = a.grantee
     where c.relnamespace = 'public'::regnamespace
     group by g.name, c.relname, a.privilege_type $$,
  'select grantee, relname, privilege, columns from declared_column_grants',
  'column-level grants to the API roles are exactly the declared ones');

select set_eq(
  $$ select g.name, p.oid::regprocedure::text
     from pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
     join api_grantees g on g.oid = a.grantee
     where p.pronamespace = 'public'::regnamespace and a.privilege_type = 'EXECUTE' $$,
  'select grantee, signature from declared_execute',
  'execute on functions is granted exactly as declared (and never to PUBLIC)');

select is_empty(
  $$ select n.nspname, c.relname, g.name, a.privilege_type
     from pg_class c join pg_namespace n on n.oid = c.relnamespace,
     aclexplode(c.relacl) a join api_grantees g on g.oid = a.grantee
     where a.privilege_type in ('TRUNCATE', 'REFERENCES', 'TRIGGER')
       -- storage's tables are the platform's: Supabase Storage grants the API roles all on them (supabase/storage
       -- migrations/tenant/0002-storage-schema.sql), which the stand-in mirrors (platform_catalog.json)
       and n.nspname not in ('pg_catalog', 'information_schema', 'storage') and n.nspname !~ '^pg_(temp|toast_temp)_' $$,
  'no API role holds truncate, references or trigger on anything of ours');

select is_empty(
  $$ select c.relname, g.name, a.privilege_type
     from pg_class c, aclexplode(c.relacl) a join api_grantees g on g.oid = a.grantee
     where c.relnamespace = 'public'::regnamespace and c.relkind = 'S' $$,
  'no API role holds a sequence (identity columns need none)');

select is_empty(
  $$ select c.relname from pg_class c
     where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
       and not c.relrowsecurity
       and (has_table_privilege('anon', c.oid, 'select') or has_table_privilege('authenticated', c.oid, 'select')
            or has_table_privilege('service_role', c.oid, 'select')) $$,
  'every table an API role can read has row level security');

select is_empty(
  $$ select c.relname from pg_class c
     where c.relnamespace = 'public'::regnamespace and c.relkind = 'v'
       and not coalesce('security_invoker=true' = any(c.reloptions), false)
       and (has_table_privilege('anon', c.oid, 'select') or has_table_privilege('authenticated', c.oid, 'select')) $$,
  'every view an API role can read runs as the caller (security_invoker), so the tables'' RLS applies');

-- A policy for a role that lacks the privilege it governs is a feature that cannot work (42501 on the platform).
select is_empty(
  $$ select p.tablename, p.policyname, r.role, op.priv
     from pg_policies p
     cross join lateral unnest(p.roles) r(role)
     cross join lateral unnest(case p.cmd when 'ALL' then array['SELECT', 'INSERT', 'UPDATE', 'DELETE']
                                          else array[p.cmd] end) op(priv)
     where p.schemaname = 'public' and r.role in ('anon', 'authenticated')
       and not has_table_privilege(r.role, format('public.%I', p.tablename), op.priv)
       and not has_any_column_privilege(r.role, format('public.%I', p.tablename), op.priv) $$,
  'every policy''s roles hold the privilege the policy governs');

select * from finish();
rollback;
