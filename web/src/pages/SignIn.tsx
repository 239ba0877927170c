// Sign in: Supabase Auth (email and password) in the cloud; locally, the demo users of the seeds (the local build
// only: this branch is compiled out of the cloud bundle).
import { useState } from "preact/hooks";
import { config } from "../config";
import { demoUsers, signInAsDemo, signInWithPassword } from "../auth";
import { go } from "../router";
import { ErrorBox, Field, useAsync, useBusy } from "../ui";

function DemoSignIn() {
  const users = useAsync(demoUsers, []);
  const [busy, error, run] = useBusy();
  return (
    <div class="panel">
      <h2>Demo users (local only)</h2>
      <ul class="rows">
        {users.data?.map((u) => (
          <li key={u.email} class="row">
            <span>
              {u.name} <span class="muted">({u.role})</span>
            </span>
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                void run(async () => {
                  await signInAsDemo(u.email);
                  go("/");
                })
              }
            >
              Sign in as {u.name}
            </button>
          </li>
        ))}
      </ul>
      <ErrorBox error={error ?? users.error} />
    </div>
  );
}

function PasswordSignIn() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, error, run] = useBusy();
  return (
    <form
      class="panel"
      onSubmit={(e) => {
        e.preventDefault();
        void run(async () => {
          await signInWithPassword(email, password);
          go("/");
        });
      }}
    >
      <Field label="Email" name="email">
        <input id="f-email" type="email" autocomplete="email" required value={email}
          onInput={(e) => setEmail(e.currentTarget.value)} />
      </Field>
      <Field label="Password" name="password">
        <input id="f-password" type="password" autocomplete="current-password" required value={password}
          onInput={(e) => setPassword(e.currentTarget.value)} />
      </Field>
      <ErrorBox error={error} />
      <button type="submit" disabled={busy}>
        Sign in
      </button>
    </form>
  );
}

export function SignIn() {
  return (
    <section aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in</h1>
      {import.meta.env.MODE === "devstack" && config().devSignIn ? <DemoSignIn /> : <PasswordSignIn />}
    </section>
  );
}
