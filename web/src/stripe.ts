// Stripe.js, loaded from the configured URL (js.stripe.com in the cloud; the local Stripe's stand-in locally), and
// the two calls the client makes: a card element, and confirming a PaymentIntent with it.
import { config } from "./config";

interface CardElement {
  mount(el: HTMLElement): void;
  unmount(): void;
}
interface StripeLike {
  elements(): { create(type: "card"): CardElement };
  confirmCardPayment(
    clientSecret: string,
    data: { payment_method: { card: CardElement } },
  ): Promise<{ error?: { message?: string }; paymentIntent?: { status: string } }>;
}
declare global {
  interface Window {
    Stripe?: (key: string) => StripeLike;
  }
}

let loading: Promise<StripeLike> | null = null;

export function stripe(): Promise<StripeLike> {
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = config().stripe.jsUrl;
    script.onload = () => (window.Stripe ? resolve(window.Stripe(config().stripe.publishableKey)) : reject());
    script.onerror = () => reject(new Error("the payment form could not load"));
    document.head.append(script);
  });
  return loading;
}
