"""A dispatcher that dies (os._exit, no cleanup, like SIGKILL) at a chosen point — for the crash tests.

python -m tests.integration.reminders.crashing_dispatcher after_handover N
    dies after the mail service accepted the N-th message, before it is marked sent
python -m tests.integration.reminders.crashing_dispatcher after_claim 0
    dies right after claiming its batch, before handing anything over
"""

from __future__ import annotations

import os
import sys
from email.message import Message

from reminders import dal, logic
from reminders.transports import default_transport


def main() -> None:
    mode, n = sys.argv[1], int(sys.argv[2])
    inner = default_transport()
    sent = 0

    class Crashing:
        def send(self, message: Message, *, to: str) -> str:
            nonlocal sent
            message_id = inner.send(message, to=to)
            sent += 1
            if mode == "after_handover" and sent == n:
                os._exit(9)
            return message_id

    if mode == "after_claim":

        def die(delivery_id: int, previous: object = None) -> bool:
            os._exit(9)

        dal.mark_handing_over = die
    logic.dispatch(transport=Crashing(), batch_size=50)
    sys.exit(0)


if __name__ == "__main__":
    main()
