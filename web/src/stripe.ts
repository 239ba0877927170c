// Stripe.js, loaded from the configured URL (js.stripe.com in the cloud; the local Stripe's stand-in locally), and
// the two calls the client makes: a card element, and confirming a PaymentIntent with it.
import { useEffect, useRef } from "preact/hooks";
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

/** A card element, mounted in the element `mount` refers to while `active`, and `confirm(clientSecret)`, which pays
 * a PaymentIntent with it (what the booking and the membership payment forms both need). */
export function useCardPayment(active = true) {
  const mount = useRef<HTMLDivElement>(null);
  const card = useRef<CardElement | null>(null);
  useEffect(() => {
    if (!active) return;
    let live = true;
    void stripe().then((s) => {
      if (!live || !mount.current) return;
      card.current = s.elements().create("card");
      card.current.mount(mount.current);
    });
    return () => {
      live = false;
      card.current?.unmount();
      card.current = null;
    };
  }, [active]);
  const confirm = async (clientSecret: string) =>
    (await stripe()).confirmCardPayment(clientSecret, { payment_method: { card: card.current! } });
  return { mount, confirm };
}
