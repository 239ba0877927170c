-- A Stripe event is claimed, applied and settled in ONE statement, its own transaction (#16 item 6).
--
-- The webhook function used to hold a transaction open across three round trips (BEGIN with the ledger claim, the
-- effect, the outcome with COMMIT). It now sends one statement:
--
--   select case when public.claim_stripe_event(id, type, created)
--               then public.settle_stripe_event(id, <the effect's call, or the outcome when there is none>)
--               else 'duplicate' end
--
-- "If the condition's result is true, the value of the CASE expression is the result that follows the condition,
-- and the remainder of the CASE expression is not processed" (PostgreSQL 15 docs, 9.18.1 CASE; the exception it
-- notes, constant subexpressions folded at planning time, cannot touch these calls: every function here is
-- VOLATILE). So the effect runs only for an event the ledger did not hold, in the same transaction as the claim:
-- a failing effect rolls the claim back with it and Stripe's retry finds the event new. A duplicate delivered
-- meanwhile waits on the claim's row until that transaction ends, as before.
--
-- settle_stripe_event records the outcome and returns it (finish_stripe_event returned nothing, so the outcome
-- could not travel back in the same statement); finish_stripe_event has no caller left and goes.
create function public.settle_stripe_event(p_id text, p_outcome text) returns text
language sql volatile security definer set search_path = ''
as $$
  update public.stripe_events set outcome = p_outcome where id = p_id returning outcome
$$;
comment on function public.settle_stripe_event(text, text) is
  'The outcome of a claimed Stripe event, recorded in the ledger and returned (the webhook function only).';
-- Executed by the webhook function's own system connection (the owner); no API role, as for the ledger's other
-- functions (20261123000100_explicit_grants.sql revokes EXECUTE from PUBLIC by default).
revoke all on function public.settle_stripe_event(text, text) from public, anon, authenticated, service_role;

drop function public.finish_stripe_event(text, text);
