// SkillSwap's local stand-in for Stripe.js v3 (served by infra.stripe_standin at /js.stripe.com/v3/), covering the
// calls our web client makes, as Stripe.js makes them: Stripe(publishableKey), elements().create("card") with
// labelled inputs, and confirmCardPayment(clientSecret, {payment_method: {card}}), which creates the card's
// PaymentMethod and confirms the PaymentIntent with the publishable key and the client secret (form posts, like
// Stripe.js). localstripe's own script only completes 3-D Secure on an already-attached card.
(function () {
  const base = document.currentScript.src.replace(/\/js\.stripe\.com\/v3\/?$/, "");

  async function post(path, fields) {
    const body = new URLSearchParams(fields);
    const reply = await fetch(base + path, { method: "POST", body });
    const json = await reply.json().catch(() => ({}));
    return reply.ok ? { ok: json } : { error: json.error || { message: "the payment failed" } };
  }

  function cardElement() {
    const inputs = {};
    const nodes = [];
    return {
      mount(el) {
        const fields = [
          ["number", "Card number", "cc-number", 19],
          ["exp", "Expiry (MM/YY)", "cc-exp", 5],
          ["cvc", "CVC", "cc-csc", 4],
        ];
        for (const [name, label, autocomplete, size] of fields) {
          const wrap = document.createElement("label");
          wrap.className = "stripe-field";
          wrap.textContent = label + " ";
          const input = document.createElement("input");
          input.name = "card-" + name;
          input.autocomplete = autocomplete;
          input.inputMode = "numeric";
          input.size = size;
          wrap.appendChild(input);
          el.appendChild(wrap);
          nodes.push(wrap);
          inputs[name] = input;
        }
      },
      unmount() {
        nodes.splice(0).forEach((n) => n.remove());
      },
      _value() {
        const [month, year] = (inputs.exp.value || "").split("/").map((s) => s.trim());
        return {
          number: (inputs.number.value || "").replace(/\s+/g, ""),
          exp_month: month || "",
          exp_year: year || "",
          cvc: inputs.cvc.value || "",
        };
      },
    };
  }

  window.Stripe = function (key) {
    return {
      elements() {
        return { create: () => cardElement() };
      },
      async confirmCardPayment(clientSecret, data) {
        const card = data.payment_method.card._value();
        const method = await post("/v1/payment_methods", {
          key, type: "card", "card[number]": card.number, "card[exp_month]": card.exp_month,
          "card[exp_year]": card.exp_year, "card[cvc]": card.cvc,
        });
        if (method.error) return { error: method.error };
        const intent = clientSecret.split("_secret_")[0];
        const confirmed = await post("/v1/payment_intents/" + intent + "/confirm", {
          key, client_secret: clientSecret, payment_method: method.ok.id,
        });
        return confirmed.error ? { error: confirmed.error } : { paymentIntent: confirmed.ok };
      },
    };
  };
})();
