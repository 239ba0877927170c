-- Internal functions are internal: the scheduled sweeps (expiring holds and requests, failing dead cohort runs,
-- purging idempotency keys and write counters) change bookkeeping that only the system may change. They run on
-- the jobs' own database connection, never through the Data API, so no API role (service_role included: the
-- secret key reaches the Data API) may call them.
revoke execute on function public.expire_holds(integer), public.expire_mentorship_requests(),
  public.fail_stale_cohort_runs(), public.purge_idempotency_keys(interval), public.purge_write_counters()
  from public, anon, authenticated, service_role;
