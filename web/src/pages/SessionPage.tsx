// One session: book a free seat, hold and pay for a paid one (Stripe Elements), join the waitlist and see the
// position, the meeting link once confirmed. The booking's state comes back from the API (after Stripe's webhook
// for a payment): polled locally, and in the cloud also pushed on the user's private Realtime topic.
import { useState } from "preact/hooks";
import { api, ok } from "../api";
import type { components } from "../api/bookings";
import { session as signedIn } from "../auth";
import { go } from "../router";
import { useSignal } from "../state";
import { onBookingChange } from "../realtime";
import { useCardPayment } from "../stripe";
import { ErrorBox, Loading, money, useAsync, useBusy, when } from "../ui";

type Booking = components["schemas"]["BookingPublic"];

const FINAL = new Set(["confirmed", "waitlisted", "cancelled", "expired", "payment_failed"]);

async function waitForBooking(id: string, until: (b: Booking) => boolean): Promise<Booking> {
  let wake: () => void = () => {};
  const stop = await onBookingChange(signedIn.value?.userId ?? "", () => wake());
  try {
    for (let i = 0; i < 60; i++) {
      const booking = ok(await api().bookings.GET("/bookings/{booking_id}", { params: { path: { booking_id: id } } }));
      if (until(booking)) return booking;
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 1000);
      });
    }
  } finally {
    stop();
  }
  throw new Error("the payment is taking long to confirm; your bookings page will show it");
}

function PayForm({ booking, onDone }: { booking: Booking; onDone: (b: Booking, declined?: string) => void }) {
  const { mount, confirm } = useCardPayment();
  const [busy, error, run] = useBusy();
  const [status, setStatus] = useState("");
  const pay = () =>
    run(async () => {
      const payment = booking.payment ?? ok(
        await api().bookings.POST("/bookings/{booking_id}/payment", { params: { path: { booking_id: booking.id } } }),
      );
      const result = await confirm(payment.client_secret);
      if (result.error) {
        setStatus("The card was declined. Releasing your seat…");
        const message = result.error.message ?? "Your card was declined.";
        onDone(await waitForBooking(booking.id, (b) => b.status !== "pending_payment"), message);
        return;
      }
      setStatus("Payment received. Confirming your seat…");
      onDone(await waitForBooking(booking.id, (b) => FINAL.has(b.status)));
    });
  return (
    <form
      class="pay"
      aria-labelledby="pay-title"
      onSubmit={(e) => {
        e.preventDefault();
        void pay();
      }}
    >
      <h2 id="pay-title">Pay {money(booking.amount, booking.currency)}</h2>
      <p class="muted">Your seat is held while you pay.</p>
      <div ref={mount} class="card-element" />
      <ErrorBox error={error} />
      {status && (
        <p role="status" aria-live="polite">
          {status}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? "Paying…" : "Pay"}
      </button>
    </form>
  );
}

export function SessionPage({ id }: { id: string }) {
  const user = useSignal(signedIn);
  const loaded = useAsync(
    async () => ok(await api().bookings.GET("/sessions/{session_id}", { params: { path: { session_id: id } } })),
    [id, user?.userId],
  );
  const [booking, setBooking] = useState<Booking | null>(null);
  const [declined, setDeclined] = useState<string | null>(null);
  const [busy, error, run] = useBusy();
  if (loaded.loading && !loaded.data) return <Loading what="the session" />;
  if (!loaded.data) return <ErrorBox error={loaded.error} />;
  const s = loaded.data;
  const book = () =>
    run(async () => {
      if (!user) return go("/signin");
      const reply = await api().bookings.POST("/sessions/{session_id}/bookings", {
        params: { path: { session_id: id } },
      });
      setBooking(ok(reply) as Booking);
      loaded.reload();
    });
  return (
    <article aria-labelledby="session-title">
      <h1 id="session-title">{s.title}</h1>
      <p class="muted">
        with {s.host_name} · {when(s.starts_at)} – {when(s.ends_at)}
      </p>
      <p>{s.description}</p>
      <dl class="facts">
        <dt>Price</dt>
        <dd>{money(s.price_amount, s.currency)}</dd>
        <dt>Seats</dt>
        <dd>{s.seats_left > 0 ? `${s.seats_left} of ${s.capacity} left` : `Full (${s.waitlist_count} waiting)`}</dd>
        <dt>Cancellation</dt>
        <dd>
          Full refund until {s.cancellation_policy.full_refund_until_hours} h before; then{" "}
          {s.cancellation_policy.late_refund_percent} %
        </dd>
      </dl>
      {s.meeting_url && (
        <p>
          Join: <a href={s.meeting_url}>{s.meeting_url}</a>
        </p>
      )}
      {booking?.status === "pending_payment" && (
        <PayForm
          booking={booking}
          onDone={(b, message) => {
            setDeclined(message ?? null);
            setBooking(b);
            loaded.reload();
          }}
        />
      )}
      {declined && (
        <p class="error" role="alert">
          {declined}
        </p>
      )}
      {booking && booking.status !== "pending_payment" && (
        <p class="notice" role="status" data-booking-status={booking.status}>
          {booking.status === "confirmed" && "You're booked. See you there!"}
          {booking.status === "waitlisted" && `You're on the waitlist (position ${booking.waitlist_position ?? "?"}).`}
          {booking.status === "payment_failed" && "The payment failed, so the seat was released."}
          {booking.status === "cancelled" && "This booking is cancelled."}
          {booking.status === "expired" && "The hold expired."}
        </p>
      )}
      {!booking && s.status === "published" && (
        <button type="button" onClick={() => void book()} disabled={busy}>
          {s.seats_left > 0 ? (s.price_amount > 0 ? "Book and pay" : "Book a seat") : "Join the waitlist"}
        </button>
      )}
      <ErrorBox error={error} />
    </article>
  );
}
