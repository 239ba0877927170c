import "./styles.css";
// The app shell: navigation, the page of the current route, and who is signed in.
import { render } from "preact";
import { loadConfig } from "./config";
import { restoreSession, session, signOut } from "./auth";
import { route } from "./router";
import { useSignal } from "./state";
import { Browse } from "./pages/Browse";
import { SessionPage } from "./pages/SessionPage";
import { Bookings } from "./pages/Bookings";
import { Host, HostSession } from "./pages/Host";
import { Mentors } from "./pages/Mentors";
import { Membership } from "./pages/Membership";
import { Earnings } from "./pages/Earnings";
import { SignIn } from "./pages/SignIn";

const NAV: [string, string, boolean][] = [
  ["#/", "Sessions", false],
  ["#/me/bookings", "My bookings", true],
  ["#/mentors", "Mentors", true],
  ["#/membership", "Membership", true],
  ["#/host", "Hosting", true],
  ["#/earnings", "Earnings", true],
];

function Page() {
  const r = useSignal(route);
  const user = useSignal(session);
  const needsUser = !["browse", "session", "signin", "notFound"].includes(r.name);
  if (needsUser && !user) return <SignIn />;
  switch (r.name) {
    case "browse":
      return <Browse />;
    case "session":
      return <SessionPage id={r.params.id!} />;
    case "bookings":
      return <Bookings />;
    case "mentors":
      return <Mentors />;
    case "membership":
      return <Membership />;
    case "host":
      return <Host />;
    case "hostSession":
      return <HostSession id={r.params.id!} />;
    case "earnings":
      return <Earnings />;
    case "signin":
      return <SignIn />;
    default:
      return (
        <section>
          <h1>Not found</h1>
          <p>
            <a href="#/">Back to the sessions</a>
          </p>
        </section>
      );
  }
}

function App() {
  const user = useSignal(session);
  const r = useSignal(route);
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById("main")?.focus(); }}>
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="#/">
          SkillSwap
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.filter(([, , needs]) => !needs || user).map(([href, label]) => (
              <li key={href}>
                <a href={href} aria-current={`#${location.hash.slice(1) || "/"}` === href || (href !== "#/" && location.hash.startsWith(href)) ? "page" : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          {user ? (
            <>
              <span>{user.name}</span>{" "}
              <button type="button" class="secondary" onClick={() => void signOut()}>
                Sign out
              </button>
            </>
          ) : (
            <a href="#/signin">Sign in</a>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1} key={r.name + (r.params.id ?? "")}>
        <Page />
      </main>
    </>
  );
}

async function start(): Promise<void> {
  await loadConfig();
  restoreSession();
  render(<App />, document.getElementById("app")!);
}

void start();
