-- Sessions hosted by experts: one-on-one, workshop, webinar. Times in UTC (timestamptz) with the host's IANA
-- timezone kept for display. The meeting link lives in its own table so only the host and confirmed
-- attendees can read it.

create type public.session_format as enum ('one_on_one', 'workshop', 'webinar');
create type public.session_status as enum ('draft', 'published', 'cancelled');

create table public.sessions (
  id uuid primary key default gen_random_uuid(),
  host_id uuid not null references public.profiles (id) on delete cascade,
  format public.session_format not null,
  title text not null check (char_length(title) between 3 and 140),
  description text not null default '' check (char_length(description) <= 8000),
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  timezone text not null default 'UTC' check (public.is_valid_timezone(timezone)),
  capacity integer not null check (capacity between 1 and 10000),
  seats_taken integer not null default 0,
  price_amount integer not null default 0 check (price_amount >= 0 and price_amount <= 100000000),
  currency text not null default 'usd' check (currency ~ '^[a-z]{3}$'),
  -- Cancellation policy: a full refund until this many hours before start, then refund_late_percent.
  refund_full_until_hours integer not null default 24 check (refund_full_until_hours between 0 and 8760),
  refund_late_percent integer not null default 0 check (refund_late_percent between 0 and 100),
  min_notice_minutes integer not null default 0 check (min_notice_minutes between 0 and 525600),
  waitlist_enabled boolean not null default true,
  hold_minutes integer not null default 15 check (hold_minutes between 1 and 1440),
  claim_window_minutes integer not null default 60 check (claim_window_minutes between 1 and 10080),
  status public.session_status not null default 'draft',
  published_at timestamptz,
  cancelled_at timestamptz,
  cancel_reason text check (char_length(cancel_reason) <= 1000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  search tsvector generated always as (
    setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', description), 'B')
  ) stored,
  constraint sessions_ends_after_start check (ends_at > starts_at),
  constraint sessions_one_on_one_single_seat check (format <> 'one_on_one' or capacity = 1),
  constraint sessions_seats_within_capacity check (seats_taken >= 0 and seats_taken <= capacity)
);
comment on table public.sessions is
  'Expert-hosted sessions. seats_taken counts held (pending_payment) and confirmed bookings; only the booking functions change it.';

create index sessions_host_id_idx on public.sessions (host_id, starts_at desc);
create index sessions_published_start_idx on public.sessions (starts_at, id) where status = 'published';
create index sessions_search_idx on public.sessions using gin (search);
create index sessions_price_idx on public.sessions (price_amount) where status = 'published';

create trigger sessions_set_updated_at before update on public.sessions
  for each row execute function public.set_updated_at();

create table public.session_skills (
  session_id uuid not null references public.sessions (id) on delete cascade,
  skill_id bigint not null references public.skills (id) on delete cascade,
  primary key (session_id, skill_id)
);
create index session_skills_skill_id_idx on public.session_skills (skill_id, session_id);

create table public.session_links (
  session_id uuid primary key references public.sessions (id) on delete cascade,
  meeting_url text not null check (meeting_url ~ '^https://')
);
comment on table public.session_links is 'Meeting links: readable by the host and confirmed attendees only.';

alter table public.sessions enable row level security;
alter table public.session_skills enable row level security;
alter table public.session_links enable row level security;

create policy "Anyone can read published sessions"
  on public.sessions for select to anon, authenticated
  using (status <> 'draft');

create policy "Hosts can read their own sessions"
  on public.sessions for select to authenticated
  using ((select auth.uid()) = host_id);

create policy "Hosts can create their own sessions"
  on public.sessions for insert to authenticated
  with check ((select auth.uid()) = host_id and seats_taken = 0 and status = 'draft');
-- Updates, publishing and cancelling go through SQL functions (they keep seats and bookings consistent).

create policy "Anyone can read the skills of visible sessions"
  on public.session_skills for select to anon, authenticated
  using (exists (select 1 from public.sessions s where s.id = session_id));

create policy "Hosts can tag their own sessions"
  on public.session_skills for insert to authenticated
  with check (exists (select 1 from public.sessions s where s.id = session_id and s.host_id = (select auth.uid())));

create policy "Hosts can untag their own sessions"
  on public.session_skills for delete to authenticated
  using (exists (select 1 from public.sessions s where s.id = session_id and s.host_id = (select auth.uid())));

create policy "Hosts can read their own meeting links"
  on public.session_links for select to authenticated
  using (exists (select 1 from public.sessions s where s.id = session_id and s.host_id = (select auth.uid())));

create policy "Hosts can set their own meeting links"
  on public.session_links for insert to authenticated
  with check (exists (select 1 from public.sessions s where s.id = session_id and s.host_id = (select auth.uid())));

create policy "Hosts can change their own meeting links"
  on public.session_links for update to authenticated
  using (exists (select 1 from public.sessions s where s.id = session_id and s.host_id = (select auth.uid())))
  with check (exists (select 1 from public.sessions s where s.id = session_id and s.host_id = (select auth.uid())));
