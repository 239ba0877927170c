-- The dispatcher's per-message statements find their delivery by its primary key, whatever the queue holds (#16).
--
-- `deliveries_lease_idx` was partial on `status = 'sending'`, and the hand-over mark (`... where id = $1 and
-- status = 'sending'`) matches that predicate: where the statistics were gathered while nothing was leased (an
-- emptied queue, a fresh fill), the planner costed the partial index as tiny and chose it over the primary key,
-- then filtered every leased row to find one (EXPLAIN ANALYZE with 33,333 leased rows: 4.1 ms and 575 buffers,
-- against 0.14 ms by the key). Each hand-over then cost in proportion to the messages in flight; measured with
-- bench/reminders.py, 1.47 ms per hand-over against 0.34 ms for a mark by the key.
--
-- The lease index now covers the rows that hold a lease (`lease_until is not null`): the same rows (a lease is
-- taken with status `sending` and dropped by every statement that moves a delivery out of it, now enforced by the
-- check below), still serving the recovery of expired leases (`lease_until < now()` implies `lease_until is not
-- null`, a strict operator: the planner proves it), but never implied by a statement that names only the status.
-- (tests/integration/reminders/test_plans.py holds each per-message statement on the primary key.)
drop index public.deliveries_lease_idx;
create index deliveries_lease_idx on public.deliveries (lease_until) where lease_until is not null;

alter table public.deliveries
  add constraint deliveries_lease_only_while_sending check ((status = 'sending') = (lease_until is not null));
