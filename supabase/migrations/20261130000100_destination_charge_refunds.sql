-- Refunds of destination charges (Stripe Connect). A booking paid with `transfer_data[destination]` sent its
-- money, less the platform's application fee, to the host's connected account. Refunding such a charge without
-- `reverse_transfer` and `refund_application_fee` takes the whole amount from the platform's balance and leaves
-- the host's share with the host. The refund executor needs to know which bookings were paid that way: the flag
-- is written when the PaymentIntent is attached to the booking (by the system; clients cannot write bookings).
-- Source: Stripe, "Destination charges" → "Issue refunds" (docs.stripe.com/connect/destination-charges).
alter table public.bookings
  add column destination_charge boolean not null default false;
comment on column public.bookings.destination_charge is
  'The PaymentIntent was a destination charge to the host''s connected account: refunds reverse the transfer and the application fee.';
