// Membership: plans, subscribing (the first payment confirmed in the browser), status, cancel and resume.
import { useState } from "preact/hooks";
import { ApiError, api, ok } from "../api";
import { useCardPayment } from "../stripe";
import { Empty, ErrorBox, Loading, money, useAsync, useBusy, when } from "../ui";

export function Membership() {
  const plans = useAsync(async () => ok(await api().payments.GET("/memberships/plans")), []);
  const mine = useAsync(async () => {
    try {
      return ok(await api().payments.GET("/me/membership"));
    } catch (e) {
      if (e instanceof ApiError && e.problem.status === 404) return null;
      throw e;
    }
  }, []);
  const [busy, error, run] = useBusy();
  const [secret, setSecret] = useState<string | null>(null);
  const { mount, confirm } = useCardPayment(secret !== null);
  const subscribe = (planId: string) =>
    run(async () => {
      const m = ok(await api().payments.POST("/memberships", { body: { plan_id: planId } }));
      if (m.client_secret) setSecret(m.client_secret);
      mine.reload();
    });
  const pay = () =>
    run(async () => {
      const result = await confirm(secret!);
      if (result.error) throw new Error(result.error.message ?? "Your card was declined.");
      setSecret(null);
      setTimeout(mine.reload, 1500);
    });
  const change = (what: "cancel" | "resume") =>
    run(async () => {
      ok(await api().payments.POST(what === "cancel" ? "/me/membership/cancel" : "/me/membership/resume"));
      mine.reload();
    });
  const m = mine.data;
  return (
    <section aria-labelledby="membership-title">
      <h1 id="membership-title">Membership</h1>
      {mine.loading && !mine.data && <Loading what="your membership" />}
      {m && (
        <div class="panel" data-membership-status={m.status}>
          <p>
            Plan <strong>{m.plan_id}</strong>: {m.status}
            {m.current_period_end && (m.cancel_at_period_end ? `, ends ${when(m.current_period_end)}` : `, renews ${when(m.current_period_end)}`)}
          </p>
          {["active", "trialing"].includes(m.status) && !m.cancel_at_period_end && (
            <button type="button" class="secondary" onClick={() => void change("cancel")} disabled={busy}>
              Cancel at period end
            </button>
          )}
          {m.cancel_at_period_end && (
            <button type="button" onClick={() => void change("resume")} disabled={busy}>
              Keep my membership
            </button>
          )}
        </div>
      )}
      {secret && (
        <form
          class="pay"
          onSubmit={(e) => {
            e.preventDefault();
            void pay();
          }}
        >
          <h2>Pay the first month</h2>
          <div ref={mount} class="card-element" />
          <button type="submit" disabled={busy}>
            Pay
          </button>
        </form>
      )}
      <h2>Plans</h2>
      {plans.data?.data.length === 0 && <Empty>No plans on offer.</Empty>}
      <ul class="cards">
        {plans.data?.data.map((p) => (
          <li key={p.id} class="card">
            <h3>{p.name}</h3>
            <p>{p.description}</p>
            <p>
              {money(p.amount, p.currency)} a {p.billing_interval}
              {p.trial_days > 0 && ` · ${p.trial_days}-day trial`}
            </p>
            {!m || !["active", "trialing", "incomplete", "past_due"].includes(m.status) ? (
              <button type="button" onClick={() => void subscribe(p.id)} disabled={busy}>
                Subscribe
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      <ErrorBox error={error ?? plans.error ?? mine.error} />
    </section>
  );
}
