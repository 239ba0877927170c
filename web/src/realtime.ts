// In the cloud, the user's private Realtime topic (`user:<id>`, RLS on realtime.messages lets only them join)
// announces booking changes; a waiting page wakes up at once instead of at its next poll. Locally there is no
// Realtime server, and the pages poll.
import { cloudAuth } from "./auth";
import { config } from "./config";

export async function onBookingChange(userId: string, wake: () => void): Promise<() => void> {
  if (config().mode !== "cloud" || !config().supabase) return () => {};
  const supabase = await cloudAuth();
  const channel = supabase
    .channel(`user:${userId}`, { config: { private: true } })
    .on("broadcast", { event: "booking_status" }, () => wake())
    .subscribe();
  return () => void supabase.removeChannel(channel);
}
