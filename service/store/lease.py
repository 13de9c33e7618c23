"""The replicas' write lease: one writer at a time on a store that several replicas share.

The lease is kept in the store itself, in its system graph, with terms of the plumbing
namespace :data:`SYSTEM` (not the public vocabulary), so it needs nothing but SPARQL 1.1.

- **Keeping writers apart: the claim.** A claimant adds a lease (its own name and an expiry)
  and reads the live leases back. If it sees no other, it holds the lease; else it withdraws
  and tries again after a random pause. Of two claimants, the one that reads second sees the
  other's lease, so two never both hold it (the server applies each update before it answers).
- **Taking turns: the queue.** Before claiming, a writer takes a ticket (its arrival time and
  an expiry) and claims only while its ticket is the earliest live one. A replica that writes
  one source after another therefore cannot take the lease again and again ahead of one that
  has been waiting: its next ticket is later.
- **Expiry.** A holder moves its lease's expiry on every third of ``lease_s``, so a write may
  take longer than that; a lease found gone is logged as an error. A waiter moves its ticket's
  expiry on every third of :data:`TICKET_S`. A replica that dies holding the lease blocks
  writers for ``lease_s`` at most, one that dies waiting for :data:`TICKET_S` at most.

Times are the replicas' clocks, so they must agree (NTP). Clocks ``d`` apart let a writer go
before others that came up to ``d`` earlier. A clock ahead by more than about two thirds of
``lease_s`` would find the holder's lease expired and remove it: two writers at once.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from pyoxigraph import NamedNode, QuerySolution

from service.errors import RemoteStoreError

logger = logging.getLogger(__name__)

#: Service plumbing, kept out of the public vocabulary (``ag:``).
SYSTEM = "https://w3id.org/alliancegraph/system#"
_LEASE = NamedNode(SYSTEM + "WriteLease")
_TICKET = NamedNode(SYSTEM + "WriteTicket")
_EXPIRES = NamedNode(SYSTEM + "expires")
_SINCE = NamedNode(SYSTEM + "since")
_DECIMAL = NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
#: How long a waiting writer's ticket lasts unless it is renewed (at most ``lease_s``).
TICKET_S = 10.0
#: The longest pause between two looks at the queue.
_MAX_PAUSE_S = 0.25
#: The pause between two looks of the writer first in line, which takes the lease once free.
_HANDOVER_PAUSE_S = 0.02


class WriteLease:
    """The write lease of the store whose system graph is ``graph``.

    :param update: sends one SPARQL update request to the store.
    :param select: answers a SELECT query with its solutions.
    :param lease_s: how long a lease lasts if its holder dies.
    :param wait_s: how long a writer waits for the lease before giving up.
    """

    def __init__(
        self,
        graph: NamedNode,
        *,
        update: Callable[[str], None],
        select: Callable[[str], Sequence[QuerySolution]],
        lease_s: float,
        wait_s: float,
    ) -> None:
        self.graph = graph
        self._update = update
        self._select = select
        self.lease_s = lease_s
        self.wait_s = wait_s
        self.ticket_s = min(lease_s, TICKET_S)

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold the lease for the block: wait in the queue, claim it, keep it, let it go.

        :raises RemoteStoreError: when it cannot be had within ``wait_s``; after the block,
            when the lease was lost during it (what the block wrote stays written, but another
            replica may have written at the same time).
        """
        token = uuid.uuid4().hex
        lease = NamedNode(f"{self.graph.value}#lease-{token}")
        self._wait_and_claim(lease, NamedNode(f"{self.graph.value}#ticket-{token}"))
        released, lost = threading.Event(), threading.Event()
        renewal = threading.Thread(
            target=self._renew, args=(lease, released, lost), name="write-lease renewal"
        )
        renewal.daemon = True
        try:
            renewal.start()
            yield
        finally:
            released.set()
            if renewal.ident is not None:  # started
                renewal.join()
            self._drop_quietly(lease)  # the write is done: a failure here is no failure of it
        if lost.is_set():
            raise RemoteStoreError(
                f"the store's write lease was lost during this write (a stall of over "
                f"{self.lease_s:g} s): the write went through, but another replica may have "
                "written at the same time; check what it changed, or make it again"
            )

    def _wait_and_claim(self, lease: NamedNode, ticket: NamedNode) -> None:
        """Take a ticket, wait until it is first in line, claim the lease as ``lease``;
        return once it is held. The ticket is gone afterwards, whatever happens.

        :raises RemoteStoreError: past ``wait_s``.
        """
        deadline = time.monotonic() + self.wait_s
        since = time.time()
        try:
            self._write(ticket, _TICKET, self.ticket_s, since=since)
            renewed = time.monotonic()
            pause = 0.01
            while True:
                if time.monotonic() - renewed > self.ticket_s / 3:  # keep the place in line
                    try:
                        self._extend(ticket, self.ticket_s)
                        renewed = time.monotonic()
                    except RemoteStoreError as error:  # if it expires, it is written again
                        logger.warning("could not renew a write-lease ticket: %s", error)
                line, free = self._look()
                if ticket.value not in line:  # removed by a replica whose clock is ahead
                    self._write(ticket, _TICKET, self.ticket_s, since=since)
                    line[ticket.value] = since
                first = min(line, key=lambda name: (line[name], name)) == ticket.value
                if first and free and self._claim(lease):
                    return
                if time.monotonic() > deadline:
                    raise RemoteStoreError(
                        f"no write lease on the store within {self.wait_s:g} s: other "
                        "replicas held it or were ahead in the queue; try again later"
                    )
                # First in line: look often, for the lease is next; else less and less often.
                wait = _HANDOVER_PAUSE_S if first else pause
                time.sleep(wait * (1 + random.random()))  # noqa: S311 (jitter, not a secret)
                pause = min(pause * 2, _MAX_PAUSE_S)
        finally:
            self._drop_quietly(ticket)

    def _look(self) -> tuple[dict[str, float], bool]:
        """The live tickets (name: arrival time) and whether no live lease is held, in one
        read."""
        now = time.time()
        rows = self._select(
            f"SELECT ?entry ?kind ?since WHERE {{ GRAPH {self.graph} {{ ?entry a ?kind ; "
            f"{_EXPIRES} ?until OPTIONAL {{ ?entry {_SINCE} ?since }} }} "
            f"FILTER (?kind IN ({_LEASE}, {_TICKET}) && ?until > {now:.3f}) }}"
        )
        line = {
            row["entry"].value: float(row["since"].value)
            for row in rows
            if row["kind"] == _TICKET and row["since"] is not None
        }
        return line, not any(row["kind"] == _LEASE for row in rows)

    def _claim(self, lease: NamedNode) -> bool:
        """Add ``lease`` and read the live leases back: True if no other is live (it is
        held), else withdraw it. A claim that fails midway withdraws too, then raises."""
        try:
            now = time.time()
            self._write(lease, _LEASE, self.lease_s)
            live = self._select(
                f"SELECT ?lease WHERE {{ GRAPH {self.graph} {{ ?lease a {_LEASE} ; "
                f"{_EXPIRES} ?until }} FILTER (?until > {now:.3f}) }}"
            )
            if {row["lease"] for row in live} == {lease}:  # its own, and no other
                return True
            self._drop(lease)
        except BaseException:
            self._drop_quietly(lease)
            raise
        return False

    def _renew(self, lease: NamedNode, released: threading.Event, lost: threading.Event) -> None:
        """Move ``lease``'s expiry on every third of ``lease_s`` until ``released``. A failed
        renewal is logged and tried again after at most a second; a lease found gone (another
        writer removed it as expired: this replica stalled past its expiry, or the server was
        out of reach) is logged as an error and set in ``lost``, since another replica may now
        write too."""
        turn = self.lease_s / 3
        wait = turn
        while not released.wait(wait):
            try:
                self._extend(lease, self.lease_s)
                mine = f"SELECT * WHERE {{ GRAPH {self.graph} {{ {lease} a {_LEASE} }} }}"
                held = bool(self._select(mine))
            except Exception as error:  # whatever it is, the next turn tries again, sooner
                logger.warning("could not renew the store's write lease: %s", error)
                wait = min(turn, 1.0)
                continue
            wait = turn
            if not held:
                logger.error(
                    "the store's write lease expired while this replica held it (a stall of "
                    "over %g s): another replica may be writing at the same time",
                    self.lease_s,
                )
                lost.set()
                return

    def _write(
        self, entry: NamedNode, kind: NamedNode, lasts_s: float, *, since: float | None = None
    ) -> None:
        """Add a lease or a ticket (with its arrival time ``since``) that expires ``lasts_s``
        from now, after removing every expired lease and ticket: those with no expiry still
        ahead (while :meth:`_extend` moves one, it has two for a moment)."""
        now = time.time()
        g = self.graph
        arrival = f'; {_SINCE} "{since:.6f}"^^{_DECIMAL} ' if since is not None else ""
        self._update(
            f"DELETE {{ GRAPH {g} {{ ?entry ?p ?o }} }} WHERE {{ GRAPH {g} {{ ?entry a ?kind ; "
            f"?p ?o FILTER (?kind IN ({_LEASE}, {_TICKET})) FILTER NOT EXISTS {{ ?entry "
            f"{_EXPIRES} ?until FILTER (?until >= {now:.3f}) }} }} }} ;\n"
            f"INSERT DATA {{ GRAPH {g} {{ {entry} a {kind} {arrival}; "
            f'{_EXPIRES} "{now + lasts_s:.3f}"^^{_DECIMAL} }} }}'
        )

    def _extend(self, entry: NamedNode, lasts_s: float) -> None:
        """Move an entry's expiry to ``lasts_s`` from now, if it is still there: the new
        expiry is added before the old one goes, so that it never has none (Virtuoso may
        apply the two operations of one request apart)."""
        until = f'"{time.time() + lasts_s:.3f}"^^{_DECIMAL}'
        g = self.graph
        self._update(
            f"INSERT {{ GRAPH {g} {{ {entry} {_EXPIRES} {until} }} }} "
            f"WHERE {{ GRAPH {g} {{ {entry} a ?kind }} }} ;\n"
            f"DELETE {{ GRAPH {g} {{ {entry} {_EXPIRES} ?until }} }} "
            f"WHERE {{ GRAPH {g} {{ {entry} {_EXPIRES} ?until }} FILTER (?until < {until}) }}"
        )

    def _drop(self, entry: NamedNode) -> None:
        """Remove a lease or a ticket."""
        g = self.graph
        self._update(
            f"DELETE {{ GRAPH {g} {{ {entry} ?p ?o }} }} WHERE {{ GRAPH {g} {{ {entry} ?p ?o }} }}"
        )

    def _drop_quietly(self, entry: NamedNode) -> None:
        """:meth:`_drop`, logging a failure instead of raising it (the entry expires)."""
        try:
            self._drop(entry)
        except Exception as error:
            logger.warning(
                "could not remove %s from the store; it blocks writers until it expires: %s",
                entry,
                error,
            )
