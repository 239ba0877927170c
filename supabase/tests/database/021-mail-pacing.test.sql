-- The mail account's send slots: consecutive reservations follow one another at 1/rate, idle time earns no burst,
-- odd arguments are refused, and no API role reserves a slot or moves the clock.
begin;
select plan(12);

update public.mail_send_pacing set next_slot = '-infinity';
select is(public.reserve_mail_sends(10, 100), 0::double precision, 'the first reservation starts now');
update public.mail_send_pacing set next_slot = '2100-01-01 00:00:00+00';
select ok(public.reserve_mail_sends(10, 100) > extract(epoch from '2100-01-01 00:00:00+00'::timestamptz - now()) - 60,
  'a reservation behind others waits for the last slot given');
select is((select next_slot from public.mail_send_pacing), '2100-01-01 00:00:00.1+00'::timestamptz,
  'ten slots at 100/s take 0.1 s of the clock');
select public.reserve_mail_sends(1, 10);
select is((select next_slot from public.mail_send_pacing), '2100-01-01 00:00:00.2+00'::timestamptz,
  'and the next follows, whatever its own rate');
update public.mail_send_pacing set next_slot = clock_timestamp() - interval '1 hour';
select is(public.reserve_mail_sends(5, 1), 0::double precision, 'an hour idle is not an hour of burst');
delete from public.mail_send_pacing;
select is(public.reserve_mail_sends(2, 10), 0::double precision, 'a lost clock row starts again, now');
select throws_ok('select public.reserve_mail_sends(0, 10)', '22023', null, 'no empty reservation');
select throws_ok('select public.reserve_mail_sends(1, 0)', '22023', null, 'no zero rate');
select throws_ok($$ select public.reserve_mail_sends(1, 'NaN') $$, '22023', null, 'no NaN rate');

select tests.authenticate_as_service_role();
select throws_ok('select public.reserve_mail_sends(1, 10)', '42501', null, 'the service role reserves nothing');
select throws_ok('select public.hand_over_delivery(1)', '42501', null, 'nor marks a delivery handed over');
select throws_ok('update public.mail_send_pacing set next_slot = now()', '42501', null,
  'nor moves the clock (it reads it, as it reads every system ledger)');

select * from finish();
rollback;
