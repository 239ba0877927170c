-- Bookings, the refunds they make due, the notification outbox, idempotency keys and reviews.
-- Every write to these tables goes through the SQL functions of the next migration; clients only read.

create type public.booking_status as enum (
  'pending_payment',  -- seat held for a paid session until hold_expires_at
  'confirmed',        -- seat taken
  'waitlisted',       -- no seat; queued first come, first served (waitlist_seq)
  'cancelled',        -- by the learner, or by the host cancelling the session
  'expired',          -- a hold (or a waitlist offer) lapsed unpaid
  'payment_failed'    -- the payment for a hold failed
);
create type public.attendance_mark as enum ('attended', 'no_show');

create sequence public.bookings_waitlist_seq;

create table public.bookings (
  id uuid primary key default gen_random_uuid(),
  session_id uuid not null references public.sessions (id) on delete cascade,
  learner_id uuid not null references public.profiles (id) on delete cascade,
  status public.booking_status not null,
  amount integer not null default 0 check (amount >= 0),
  currency text not null default 'usd',
  hold_expires_at timestamptz,
  offered_from_waitlist boolean not null default false,
  waitlist_seq bigint,
  paid_at timestamptz,
  payment_intent_id text unique,
  confirmed_at timestamptz,
  cancelled_at timestamptz,
  cancelled_by uuid,
  attendance public.attendance_mark,
  attendance_marked_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint bookings_hold_has_expiry check (status <> 'pending_payment' or hold_expires_at is not null),
  constraint bookings_waitlist_has_seq check (status <> 'waitlisted' or waitlist_seq is not null)
);
comment on table public.bookings is 'One learner''s place in one session. Written only by the booking functions.';

-- One active booking per learner per session (cancelled/expired ones do not block booking again).
create unique index bookings_one_active_per_learner on public.bookings (session_id, learner_id)
  where status in ('pending_payment', 'confirmed', 'waitlisted');
create index bookings_learner_idx on public.bookings (learner_id, created_at desc);
create index bookings_session_status_idx on public.bookings (session_id, status);
create index bookings_waitlist_idx on public.bookings (session_id, waitlist_seq) where status = 'waitlisted';
create index bookings_hold_expiry_idx on public.bookings (hold_expires_at) where status = 'pending_payment';

create trigger bookings_set_updated_at before update on public.bookings
  for each row execute function public.set_updated_at();

alter table public.bookings enable row level security;

create policy "Learners can read their own bookings"
  on public.bookings for select to authenticated
  using ((select auth.uid()) = learner_id);

create policy "Hosts can read bookings of their sessions"
  on public.bookings for select to authenticated
  using (exists (select 1 from public.sessions s where s.id = session_id and s.host_id = (select auth.uid())));

create policy "Confirmed attendees can read the meeting link"
  on public.session_links for select to authenticated
  using (exists (
    select 1 from public.bookings b
    where b.session_id = session_links.session_id and b.learner_id = (select auth.uid()) and b.status = 'confirmed'
  ));

-- Refunds due (computed from the session's policy at cancellation time); the payments function executes them.
create type public.refund_status as enum ('pending', 'submitted', 'succeeded', 'failed');

create table public.refunds (
  id uuid primary key default gen_random_uuid(),
  booking_id uuid not null references public.bookings (id) on delete cascade,
  amount integer not null check (amount > 0),
  currency text not null,
  percent integer not null check (percent between 0 and 100),
  reason text not null,
  status public.refund_status not null default 'pending',
  stripe_refund_id text unique,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index refunds_one_per_booking on public.refunds (booking_id);
create index refunds_pending_idx on public.refunds (created_at) where status = 'pending';

create trigger refunds_set_updated_at before update on public.refunds
  for each row execute function public.set_updated_at();

alter table public.refunds enable row level security;

create policy "Learners can read refunds of their bookings"
  on public.refunds for select to authenticated
  using (exists (select 1 from public.bookings b where b.id = booking_id and b.learner_id = (select auth.uid())));

-- Notification outbox: every user-visible change writes its row in the same transaction as the change.
create table public.outbox_events (
  id bigint generated always as identity primary key,
  kind text not null,
  user_id uuid references auth.users (id) on delete cascade,
  session_id uuid,
  booking_id uuid,
  payload jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  dispatched_at timestamptz
);
create index outbox_events_undispatched_idx on public.outbox_events (id) where dispatched_at is null;
create index outbox_events_user_idx on public.outbox_events (user_id, id);
comment on table public.outbox_events is 'Transactional outbox for notifications; system-only (no client policies).';
alter table public.outbox_events enable row level security;

-- Idempotency keys: the first answer to a keyed request, replayed for retries (per user, 24 h).
create table public.idempotency_keys (
  user_id uuid not null references auth.users (id) on delete cascade,
  key text not null check (char_length(key) between 1 and 255),
  request_hash text not null,
  status_code integer,
  response jsonb,
  created_at timestamptz not null default now(),
  primary key (user_id, key)
);
create index idempotency_keys_created_idx on public.idempotency_keys (created_at);
alter table public.idempotency_keys enable row level security;
-- No client policies: written and read by the bookings function inside the booking transaction.

-- Reviews: one per booking, by a confirmed attendee of a finished session.
create table public.reviews (
  id uuid primary key default gen_random_uuid(),
  booking_id uuid not null unique references public.bookings (id) on delete cascade,
  session_id uuid not null references public.sessions (id) on delete cascade,
  host_id uuid not null references public.profiles (id) on delete cascade,
  reviewer_id uuid not null references public.profiles (id) on delete cascade,
  rating smallint not null check (rating between 1 and 5),
  comment text not null default '' check (char_length(comment) <= 4000),
  created_at timestamptz not null default now()
);
create index reviews_host_idx on public.reviews (host_id, created_at desc);
create index reviews_session_idx on public.reviews (session_id);
create index reviews_reviewer_idx on public.reviews (reviewer_id);

alter table public.reviews enable row level security;

create policy "Signed-in users can read reviews"
  on public.reviews for select to authenticated
  using (true);
-- Reviews are written through public.leave_review() only.
