"""The pacer on a fake clock: slots from one shared reservation clock, spaced 1/rate apart across workers, never
early, never past the deadline."""

from __future__ import annotations

import itertools

from reminders.pacing import Pacer


class World:
    """A fake monotonic clock and the database's reservation row (`next_slot`), as reserve_mail_sends keeps it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.next_slot = float("-inf")
        self.reservations: list[int] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.now += seconds

    def reserve(self, count: int, rate: float) -> float:
        start = max(self.next_slot, self.now)
        self.next_slot = start + count / rate
        self.reservations.append(count)
        return start - self.now


def take_turn(pacer: Pacer, remaining: int) -> bool:
    """What the dispatcher does before each hand-over: take the next slot and wait for it; False past the
    deadline."""
    slot = pacer.next_slot(remaining)
    if slot is None:
        return False
    pacer.wait_until(slot)
    return True


def test_two_workers_share_one_sequence_of_slots() -> None:
    """Two concurrent workers (whichever would wake first acts next; a hand-over takes no time): the sends of both
    together are 1/rate apart, as one paced sender's would be."""
    world = World()
    pacers = [Pacer(rate=8, reserve=world.reserve, deadline=100, clock=world.clock, sleep=world.sleep) for _ in "ab"]
    awake = [0.0, 0.0]
    sent: list[float] = []
    for _ in range(24):
        who = min(range(2), key=lambda i: awake[i])
        world.now = awake[who]
        assert take_turn(pacers[who], 50)
        sent.append(world.now)
        awake[who] = world.now
    assert set(world.reservations) == {2}, "a quarter second of slots per reservation"
    assert len(world.reservations) <= 13, "(at most one worker's last reservation unused)"
    ordered = sorted(sent)
    assert all(later - earlier >= 1 / 8 - 1e-9 for earlier, later in itertools.pairwise(ordered))
    assert ordered[-1] - ordered[0] <= 24 / 8 + 1e-9, "and no slower (at most a slot left unused)"


def test_a_reservation_never_exceeds_what_is_left_and_idle_time_earns_no_burst() -> None:
    world = World()
    pacer = Pacer(rate=100, reserve=world.reserve, deadline=100, clock=world.clock, sleep=world.sleep)
    assert take_turn(pacer, 3)
    assert world.reservations == [3]
    assert take_turn(pacer, 2)
    assert take_turn(pacer, 1)
    world.now += 50.0  # idle
    times = []
    for left in range(25, 0, -1):
        assert take_turn(pacer, left)
        times.append(world.now)
    assert times[-1] - times[0] >= 24 / 100 - 1e-9


def test_a_slot_after_the_deadline_is_refused_without_waiting() -> None:
    world = World()
    pacer = Pacer(rate=2, reserve=world.reserve, deadline=1.2, clock=world.clock, sleep=world.sleep)
    assert take_turn(pacer, 10)  # slot 0.0
    assert take_turn(pacer, 9)  # slot 0.5
    assert take_turn(pacer, 8)  # slot 1.0
    before = world.now
    assert not take_turn(pacer, 7)  # slot 1.5
    assert world.now == before
