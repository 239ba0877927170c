// Earnings and payout onboarding for hosts and authors.
import { api, ok } from "../api";
import { Empty, ErrorBox, Loading, money, useAsync, useBusy, when } from "../ui";

export function Earnings() {
  const earnings = useAsync(async () => ok(await api().payments.GET("/me/earnings", { params: { query: { limit: 20 } } })), []);
  const [busy, error, run] = useBusy();
  const onboard = () =>
    run(async () => {
      const link = ok(
        await api().payments.POST("/payouts/onboarding", { body: { return_url: location.href.replace(/^http:/, "https:") } }),
      );
      location.assign(link.onboarding_url);
    });
  const e = earnings.data;
  return (
    <section aria-labelledby="earnings-title">
      <h1 id="earnings-title">Earnings</h1>
      {earnings.loading && !e && <Loading what="your earnings" />}
      <ErrorBox error={earnings.error ?? error} />
      {e && (
        <>
          <p data-payout-account={e.payout_account}>
            Payout account: {e.payout_account === "active" ? "active" : e.payout_account === "onboarding" ? "onboarding not finished" : "none"}
          </p>
          {e.payout_account !== "active" && (
            <button type="button" onClick={() => void onboard()} disabled={busy}>
              Set up payouts
            </button>
          )}
          <h2>Totals</h2>
          {e.totals.length === 0 && <Empty>No earnings yet.</Empty>}
          <ul>
            {e.totals.map((t) => (
              <li key={t.currency}>
                {money(t.gross, t.currency)} gross − {money(t.platform_fees, t.currency)} fees −{" "}
                {money(t.refunded, t.currency)} refunded = <strong>{money(t.net, t.currency)}</strong>
              </li>
            ))}
          </ul>
          <h2>Charges</h2>
          <ul class="rows">
            {e.charges.map((c) => (
              <li key={`${c.kind}-${c.reference_id}-${c.paid_at}`} class="row">
                {c.title} · {money(c.amount, c.currency)} · {when(c.paid_at)}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
