-- Live forums: a new thread is broadcast on `forum:<category id>`, a new reply on `thread:<thread id>` (private
-- Realtime topics, as the groups' are). RLS on realtime.messages lets a signed-in user receive a thread's
-- replies only if they may read the thread itself (the thread policies decide, so hidden or deleted threads
-- stay with their authors and the moderators), and a category's new threads if the thread is one they may read.
-- Payloads carry ids, titles and authors, never more than the tables show the receiver.
create or replace function public.broadcast_forum_post() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if tg_table_name = 'forum_threads' then
    perform realtime.send(
      jsonb_build_object('thread_id', new.id, 'category_id', new.category_id, 'title', new.title,
                         'author_id', new.author_id, 'created_at', new.created_at),
      'thread_created', 'forum:' || new.category_id::text, true);
  else
    perform realtime.send(
      jsonb_build_object('reply_id', new.id, 'thread_id', new.thread_id, 'author_id', new.author_id,
                         'created_at', new.created_at),
      'reply_created', 'thread:' || new.thread_id::text, true);
  end if;
  return null;
end;
$$;
revoke execute on function public.broadcast_forum_post() from public, anon, authenticated, service_role;

create trigger forum_threads_broadcast after insert on public.forum_threads
  for each row execute function public.broadcast_forum_post();
create trigger forum_replies_broadcast after insert on public.forum_replies
  for each row execute function public.broadcast_forum_post();

create policy "Readers of a thread receive its new replies" on realtime.messages for select to authenticated
  using (extension = 'broadcast' and (select realtime.topic()) = topic
         and exists (select 1 from public.forum_threads t where t.id = public.topic_uuid(topic, 'thread')));
create policy "Members receive new threads they may read" on realtime.messages for select to authenticated
  using (extension = 'broadcast' and (select realtime.topic()) = topic and topic like 'forum:%'
         and exists (select 1 from public.forum_threads t
                     where t.id = public.topic_uuid('thread:' || (payload ->> 'thread_id'), 'thread')));
