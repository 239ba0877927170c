-- Group files in Supabase Storage (#14): a private bucket, one folder per group (`<group id>/<file name>`), and
-- storage.objects policies: active members of the group read and upload, the uploader deletes (through the
-- Storage API, which sets storage.can_delete for its own deletes). A "file" resource row names its object, which
-- must exist in the group's folder and be the resource author's own upload.
-- Sources: supabase.com/docs/guides/storage/security/access-control (policies on storage.objects, helper
-- functions storage.foldername), supabase/storage migrations/tenant/0002-storage-schema.sql and
-- 0017-alter-owner-data-type.sql (owner_id: the uploader's JWT sub, as text).

insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values ('group-files', 'group-files', false, 26214400,
        array['application/pdf', 'image/png', 'image/jpeg', 'image/webp', 'text/plain', 'text/markdown',
              'application/zip', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
              'application/vnd.openxmlformats-officedocument.presentationml.presentation'])
on conflict (id) do nothing;

-- The group whose folder an object is in, or null for a name that is not `<uuid>/<file>` (never an error, so a
-- policy cannot be made to raise by an odd name).
create function public.group_of_object(p_name text) returns uuid
language sql immutable set search_path = ''
as $$
  select case when p_name ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/[^/]+$'
              then split_part(p_name, '/', 1)::uuid end
$$;
revoke execute on function public.group_of_object(text) from public;
grant execute on function public.group_of_object(text) to authenticated;

-- Whether the caller is an active member of a group given by id (is_group_member, for a possibly null id).
create policy "Active members can read their groups' files"
  on storage.objects for select to authenticated
  using (bucket_id = 'group-files' and (select public.is_group_member(public.group_of_object(name))));
create policy "Active members can upload to their groups' folders"
  on storage.objects for insert to authenticated
  with check (bucket_id = 'group-files' and owner_id = (select auth.uid())::text
              and (select public.is_group_member(public.group_of_object(name))));
create policy "Uploaders can delete their group files"
  on storage.objects for delete to authenticated
  using (bucket_id = 'group-files' and owner_id = (select auth.uid())::text);

-- The resource row names its object.
alter table public.group_resources add column object_name text;
alter table public.group_resources add constraint group_resources_object_in_group_folder
  check (object_name is null or (kind = 'file' and public.group_of_object(object_name) = group_id));

create function public.group_resources_check_object() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.object_name is not null and public.group_of_object(new.object_name) is distinct from new.group_id then
    raise exception using errcode = 'SS422', column = 'object_name', message = 'the file must be in this group''s folder';
  end if;
  if new.kind = 'file' and new.object_name is not null and not exists (
       select 1 from storage.objects o
       where o.bucket_id = 'group-files' and o.name = new.object_name and o.owner_id = new.author_id::text) then
    raise exception using errcode = 'SS422', column = 'object_name',
      message = 'upload the file to the group''s folder first (it must be your own upload)';
  end if;
  return new;
end;
$$;
revoke execute on function public.group_resources_check_object() from public, anon, authenticated;
create trigger group_resources_check_object before insert or update of object_name on public.group_resources
  for each row execute function public.group_resources_check_object();
grant insert (object_name) on public.group_resources to authenticated;
