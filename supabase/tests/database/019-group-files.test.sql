-- Group files in Storage: a private bucket, one folder per group; active members read and upload, uploaders
-- delete (through the Storage API, which alone may delete), and a file resource names its own upload.
begin;
select plan(20);

select tests.create_user('owner@example.test') as owner \gset
select tests.create_user('member@example.test') as member \gset
select tests.create_user('pending@example.test') as pending \gset
select tests.create_user('stranger@example.test') as stranger \gset
insert into public.groups (id, name, owner_id, visibility) values
  ('6f000000-0000-4000-8000-000000000001', 'Files circle', :'owner', 'private'),
  ('6f000000-0000-4000-8000-000000000002', 'Other circle', :'stranger', 'private');
insert into public.group_members (group_id, user_id, role, status) values
  ('6f000000-0000-4000-8000-000000000001', :'member', 'member', 'active'),
  ('6f000000-0000-4000-8000-000000000001', :'pending', 'member', 'pending');

select is((select public from storage.buckets where id = 'group-files'), false, 'the group-files bucket is private');

select tests.authenticate_as(:'member');
select lives_ok($$ insert into storage.objects (bucket_id, name, owner_id)
  values ('group-files', '6f000000-0000-4000-8000-000000000001/notes.pdf', auth.uid()::text) $$,
  'an active member uploads to the group''s folder');
select throws_ok($$ insert into storage.objects (bucket_id, name, owner_id)
  values ('group-files', '6f000000-0000-4000-8000-000000000002/x.pdf', auth.uid()::text) $$, '42501', null,
  'but not to another group''s folder');
select throws_ok($$ insert into storage.objects (bucket_id, name, owner_id)
  values ('group-files', '6f000000-0000-4000-8000-000000000001/sub/x.pdf', auth.uid()::text) $$, '42501', null,
  'nor deeper than the group''s folder');
select throws_ok($$ insert into storage.objects (bucket_id, name, owner_id)
  values ('group-files', 'not-a-group/x.pdf', auth.uid()::text) $$, '42501', null, 'nor into a folder that is no group');
select throws_ok($$ insert into storage.objects (bucket_id, name, owner_id)
  values ('group-files', '6f000000-0000-4000-8000-000000000001/theirs.pdf', '$$ || :'owner' || $$') $$, '42501', null,
  'nor in someone else''s name');
select lives_ok($$ insert into public.group_resources (group_id, kind, title, file_name, object_name)
  values ('6f000000-0000-4000-8000-000000000001', 'file', 'Notes', 'notes.pdf',
          '6f000000-0000-4000-8000-000000000001/notes.pdf') $$, 'the resource row names the upload');

select tests.authenticate_as(:'owner');
select results_eq($$ select name from storage.objects where bucket_id = 'group-files' $$,
  array['6f000000-0000-4000-8000-000000000001/notes.pdf'], 'the group''s members read its files');
select throws_ok($$ insert into public.group_resources (group_id, kind, title, file_name, object_name)
  values ('6f000000-0000-4000-8000-000000000001', 'file', 'Not mine', 'notes.pdf',
          '6f000000-0000-4000-8000-000000000001/notes.pdf') $$, 'SS422', null,
  'a resource cannot claim someone else''s upload');
select throws_ok($$ insert into public.group_resources (group_id, kind, title, file_name, object_name)
  values ('6f000000-0000-4000-8000-000000000001', 'file', 'Elsewhere', 'x.pdf',
          '6f000000-0000-4000-8000-000000000002/x.pdf') $$, 'SS422', null,
  'a resource names an object in its own group''s folder');
select throws_ok($$ delete from storage.objects where bucket_id = 'group-files' $$, '42501', null,
  'nobody deletes with SQL: only the Storage API may (storage.can_delete)');
set local storage.can_delete = 'true';
select is_empty($$ delete from storage.objects where bucket_id = 'group-files' returning id $$,
  'another member, even the owner, cannot delete the uploader''s file');

select tests.authenticate_as(:'pending');
select is_empty($$ select name from storage.objects $$, 'a pending member reads no files');
select throws_ok($$ insert into storage.objects (bucket_id, name, owner_id)
  values ('group-files', '6f000000-0000-4000-8000-000000000001/p.pdf', auth.uid()::text) $$, '42501', null,
  'and uploads none');

select tests.authenticate_as(:'stranger');
select is_empty($$ select name from storage.objects $$, 'a stranger reads no files');
select is_empty($$ select id from public.group_resources $$, 'nor the resources of a group they are not in');

select tests.authenticate_as_anon();
select is_empty($$ select name from storage.objects $$, 'visitors read no files');

select tests.authenticate_as(:'member');
select results_eq($$ select storage.filename(name) from storage.objects $$, array['notes.pdf'],
  'storage.filename works as on the platform');
select isnt_empty($$ delete from storage.objects where bucket_id = 'group-files' returning id $$,
  'the uploader deletes their file through the Storage API');
select is_empty($$ select name from storage.objects $$, 'and it is gone');

select tests.clear_authentication();
select * from finish();
rollback;
