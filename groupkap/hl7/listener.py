"""The MLLP listener: monitors and gateways connect, send ORU^R01 messages, and get an ACK each.

One thread runs a `selectors` loop over the listening socket and every connection, rather
than one thread per connection, because:

- a slow or stuck sender (half a frame, then nothing) costs a socket, never a thread, and
  the deadlines that close it are checked in one place on every turn of the loop;
- `stop()` wakes one thread and joins it, so it returns within a bounded time whatever the
  peers do;
- reading a message takes about a tenth of a millisecond, so one thread keeps up with a room of
  monitors at one message per second each (and with a gateway's many patients on one
  connection), and each connection's ACKs leave in the order its messages came.

Each message is answered: AA when its readings are stored (the handler returns a Future
that the store's commit resolves; the answer waits for it, at most `store_timeout_s`), AE
when it could not be used (`MessageNotUsable`, the handler refused it, or storing failed or
took too long: the sender sends it again, and a value taken twice is recorded once), AR when
it could not be processed at all (`MessageRejected`, or larger than the limit). Waiting
answers never block the loop, and each connection's answers leave in the order its
messages came. Nothing a peer
sends stops the listener: errors are caught per message and per connection, and logged.
Network deadlines use the machine's monotonic clock (they are about real sockets, not
session time); the handler is told nothing about time and stamps what it receives itself.
"""

from __future__ import annotations

import errno
import ipaddress
import logging
import selectors
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

from groupkap.errors import SourceError
from groupkap.hl7.ack import ack
from groupkap.hl7.codes import STANDARD_CODES, CodeTable
from groupkap.hl7.config import Hl7Config
from groupkap.hl7.errors import MessageNotUsable, MessageRejected
from groupkap.hl7.mllp import Framer, Message, Noise, TooLarge, frame
from groupkap.hl7.oru import parse_oru
from groupkap.hl7.results import OruMessage

log = logging.getLogger("groupkap.hl7")

Handler = Callable[[OruMessage, str], "Future | None"]
"""handler(message, peer address): hand the message on; raising makes the answer AE. A
handler that stores the readings later returns a Future resolved with None once they are
committed (the answer is AA) or with the problem in words (AE); returning None is AA now."""

MAX_CONNECTIONS = 64
MAX_UNSENT = 1 << 20  # ACKs a peer does not read: past this the connection is closed
PROBLEM_REPEAT_S = 60.0  # the same problem on one connection is logged once a minute
TURN_S = 0.2  # the loop wakes at least this often to check deadlines and stop()
RECV_BYTES = 65536


@dataclass
class _Waiting:
    """An answer that waits for the store: AA once `stored` resolves, AE after `deadline`."""

    message: OruMessage
    stored: Future
    deadline: float


@dataclass
class ListenerStats:
    """Counts since the listener started, for the recorder's summary and tests."""

    connections: int = 0
    refused: int = 0
    messages: int = 0
    answers: dict[str, int] = field(default_factory=lambda: {"AA": 0, "AE": 0, "AR": 0})
    noise_bytes: int = 0


class _Connection:
    """One peer: its socket, its framer, what is left to send and its deadlines."""

    def __init__(self, sock: socket.socket, peer: str, port: int, max_bytes: int) -> None:
        self.sock, self.peer, self.port = sock, peer, port
        self.framer = Framer(max_bytes)
        self.unsent = bytearray()
        self.answers: deque[bytes | _Waiting] = deque()  # in message order, not yet sent
        self.last_rx = time.monotonic()
        self.frame_since: float | None = None
        self.messages = 0
        self._said: dict[str, tuple[float, int]] = {}  # problem -> (last logged, repeats)

    def problem(self, answer: str, reason: str) -> None:
        """Log why a message was not taken: the first time, then at most once a minute with
        how many times it came again (a gateway repeating one fault every second would
        otherwise bury everything else)."""
        now = time.monotonic()
        logged, repeats = self._said.get(reason, (None, 0))
        if logged is not None and now - logged < PROBLEM_REPEAT_S:
            self._said[reason] = (logged, repeats + 1)
            return
        again = f" (and {repeats} times since)" if repeats else ""
        log.warning("%s: %s, %s%s", self.name, answer, reason, again)
        self._said[reason] = (now, 0)

    @property
    def name(self) -> str:
        return f"{self.peer}:{self.port}"


class MllpListener:
    """Listens for monitors on one address and port, on its own thread.

    Attributes:
        config: address, port, allow-list and limits.
        codes: the code tables messages are read with (standard plus vendor codes).
        stats: what it has done.
        failure: why the thread stopped on its own ("" while it runs or after `stop()`).
    """

    def __init__(
        self,
        handler: Handler,
        config: Hl7Config,
        *,
        codes: CodeTable = STANDARD_CODES,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        self.handler = handler
        self.config = config
        self.codes = codes
        self.max_connections = max_connections
        self.stats = ListenerStats()
        self.failure = ""
        self._allow = [ipaddress.ip_network(a, strict=False) for a in config.allow]
        self._server: socket.socket | None = None
        self._selector = selectors.DefaultSelector()
        self._connections: dict[int, _Connection] = {}
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_w.setblocking(False)
        self._waiting: dict[int, _Connection] = {}  # connections with answers waiting
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._port = config.port

    # -- life ------------------------------------------------------------------------
    def start(self) -> None:
        """Bind and start listening. Raises SourceError naming the port when it is taken
        or the address is not this machine's, before anything else happens."""
        family = socket.AF_INET6 if ":" in self.config.bind else socket.AF_INET
        server = socket.socket(family, socket.SOCK_STREAM)
        try:
            # Lets a restarted recorder take its port back at once from connections still
            # closing (TIME_WAIT); a port another program listens on stays refused.
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind((self.config.bind, self.config.port))
            server.listen(16)
        except OSError as exc:
            server.close()
            self.stop()
            raise SourceError(_bind_problem(self.config, exc)) from None
        server.setblocking(False)
        self._server = server
        self._port = server.getsockname()[1]
        self._selector.register(server, selectors.EVENT_READ, "accept")
        self._selector.register(self._wake_r, selectors.EVENT_READ, "wake")
        self._thread = threading.Thread(target=self._run, name="hl7-listener", daemon=True)
        self._thread.start()
        log.info(
            "HL7 listener on %s port %d, letting in %s",
            self.config.bind,
            self.port,
            ", ".join(self.config.allow) or "no one",
        )

    @property
    def port(self) -> int:
        """The port listened on (the one chosen when the configured port is 0)."""
        return self._port

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def connections(self) -> int:
        return len(self._connections)

    def stop(self, timeout: float = 2.0) -> None:
        """Close every connection and the port; returns within about `timeout` seconds."""
        self._stopping.set()
        self._wake()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():  # a daemon thread: it dies with the process
                log.error("the HL7 listener did not stop within %.1f s", timeout)
                return
        if thread is None:
            self._close_all()  # never started: the thread's own ending closed nothing
        for sock in (self._wake_r, self._wake_w):
            sock.close()
        self._selector.close()

    def _wake(self, _=None) -> None:
        """Wake the loop (from any thread): a stop, or a stored message to answer."""
        try:
            self._wake_w.send(b"x")
        except OSError:  # closed, or its buffer full: the loop is awake anyway
            pass

    def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                self._turn()
        except Exception as exc:  # the loop itself failed: say so, the session alarms
            self.failure = f"{type(exc).__name__}: {exc}"
            log.exception("the HL7 listener stopped")
        finally:
            self._close_all()

    def _turn(self) -> None:
        for key, mask in self._selector.select(TURN_S):
            if key.data == "accept":
                self._accept()
            elif key.data == "wake":
                self._wake_r.recv(4096)
            else:
                conn = key.data
                try:
                    if mask & selectors.EVENT_READ:
                        self._read(conn)
                    if mask & selectors.EVENT_WRITE and conn.sock.fileno() >= 0:
                        self._send(conn)
                except Exception:
                    log.exception("%s: connection failed; closing it", conn.name)
                    self._close(conn, "closed after an error")
        now = time.monotonic()
        for conn in list(self._waiting.values()):
            self._release(conn, now)
        self._check_deadlines(now)

    def _close_all(self) -> None:
        for conn in list(self._connections.values()):
            self._close(conn, "listener stopped", level=logging.DEBUG)
        if self._server is not None:
            try:
                self._selector.unregister(self._server)
            except (KeyError, ValueError):
                pass
            self._server.close()

    # -- connections -----------------------------------------------------------------
    def _accept(self) -> None:
        while True:
            try:
                sock, address = self._server.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # out of file descriptors ...: try again next turn
                log.error("HL7 listener could not accept a connection: %s", exc)
                return
            peer, port = address[0], address[1]
            if not self._allowed(peer):
                self.stats.refused += 1
                log.warning(
                    "refused a connection from %s: not in the allow-list ([hl7] allow = %s)",
                    peer,
                    list(self.config.allow),
                )
                sock.close()
                continue
            if len(self._connections) >= self.max_connections:
                self.stats.refused += 1
                log.warning(
                    "refused a connection from %s: %d connections already open",
                    peer,
                    len(self._connections),
                )
                sock.close()
                continue
            sock.setblocking(False)
            conn = _Connection(sock, peer, port, self.config.max_message_bytes)
            self._connections[sock.fileno()] = conn
            self._selector.register(sock, selectors.EVENT_READ, conn)
            self.stats.connections += 1
            log.info("%s connected", conn.name)

    def _allowed(self, peer: str) -> bool:
        try:
            address = ipaddress.ip_address(peer.split("%")[0])
        except ValueError:
            return False
        mapped = getattr(address, "ipv4_mapped", None)
        if mapped is not None:
            address = mapped
        return any(address.version == net.version and address in net for net in self._allow)

    def _close(self, conn: _Connection, why: str, level: int = logging.INFO) -> None:
        self._waiting.pop(id(conn), None)
        if self._connections.pop(conn.sock.fileno(), None) is None:
            return
        try:
            self._selector.unregister(conn.sock)
        except (KeyError, ValueError):
            pass
        conn.sock.close()
        log.log(level, "%s disconnected (%s) after %d messages", conn.name, why, conn.messages)

    def _check_deadlines(self, now: float) -> None:
        for conn in list(self._connections.values()):
            if (
                conn.frame_since is not None
                and now - conn.frame_since > self.config.frame_timeout_s
            ):
                self._close(
                    conn,
                    f"half a message for {now - conn.frame_since:.0f} s; "
                    f"{conn.framer.pending} bytes dropped",
                    logging.WARNING,
                )
            elif now - conn.last_rx > self.config.idle_timeout_s and not conn.answers:
                self._close(conn, f"nothing received for {now - conn.last_rx:.0f} s")

    # -- bytes in, answers out -------------------------------------------------------
    def _read(self, conn: _Connection) -> None:
        try:
            data = conn.sock.recv(RECV_BYTES)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self._close(conn, exc.strerror or str(exc), logging.WARNING)
            return
        if not data:
            if conn.framer.in_frame:
                self._close(
                    conn,
                    f"closed by the sender in the middle of a message; "
                    f"{conn.framer.pending} bytes dropped",
                    logging.WARNING,
                )
            else:
                self._close(conn, "closed by the sender")
            return
        conn.last_rx = time.monotonic()
        for item in conn.framer.feed(data):
            if isinstance(item, Message):
                conn.messages += 1
                self._queue_answer(conn, self._answer(conn, item.payload))
            elif isinstance(item, Noise):
                self.stats.noise_bytes += item.size
                log.warning("%s: dropped %s", conn.name, item.why)
            elif isinstance(item, TooLarge):
                conn.messages += 1
                text = f"message larger than {item.limit // 1024} KiB: not read"
                conn.problem("AR", text)
                self._queue_answer(conn, self._safe_ack(item.head, "AR", text, 207, None))
        if not conn.framer.in_frame:
            conn.frame_since = None
        elif conn.frame_since is None:
            conn.frame_since = conn.last_rx

    def _answer(self, conn: _Connection, payload: bytes) -> bytes | _Waiting:
        """Read one message, hand it on, and return the ACK, or the wait for its readings to
        be stored (never raises)."""
        self.stats.messages += 1
        try:
            # A message naming no device at all is named after the peer's address.
            message = parse_oru(payload, codes=self.codes, default_device=conn.peer)
        except MessageRejected as exc:
            conn.problem("AR", exc.reason)
            return self._safe_ack(payload, "AR", exc.reason, exc.error_code, exc.location)
        except MessageNotUsable as exc:
            self._hand_on(exc.result, conn)  # its devices and unknown codes reach the tray
            conn.problem("AE", exc.reason)
            return self._safe_ack(exc.result, "AE", exc.reason, exc.error_code, None)
        except Exception as exc:
            log.exception("%s: could not read a message", conn.name)
            return self._safe_ack(payload, "AE", f"not read: {exc}", 207, None)
        stored = self._hand_on(message, conn)
        if isinstance(stored, Future):
            stored.add_done_callback(self._wake)
            return _Waiting(message, stored, time.monotonic() + self.config.store_timeout_s)
        return self._settled(conn, message, stored)

    def _settled(self, conn: _Connection, message: OruMessage, problem: str) -> bytes:
        if problem:
            conn.problem("AE", problem)
            return self._safe_ack(message, "AE", problem, 207, None)
        log.debug("%s: AA %s", conn.name, message.control_id)
        return self._safe_ack(message, "AA", "", 207, None)

    def _hand_on(self, message: OruMessage, conn: _Connection) -> str | Future:
        try:
            stored = self.handler(message, conn.peer)
        except Exception as exc:
            log.exception("%s: message %s not handed on", conn.name, message.control_id)
            return f"not stored: {exc}"
        return stored if stored is not None else ""

    def _queue_answer(self, conn: _Connection, answer: bytes | _Waiting) -> None:
        conn.answers.append(answer)
        self._release(conn, time.monotonic())

    def _release(self, conn: _Connection, now: float) -> None:
        """Send the answers at the head of the line that are settled, in message order."""
        if conn.sock.fileno() < 0:  # closed: its sender will send again
            self._waiting.pop(id(conn), None)
            return
        ready: list[bytes] = []
        while conn.answers:
            head = conn.answers[0]
            if isinstance(head, _Waiting):
                if head.stored.done():
                    problem = head.stored.result() or ""
                elif now >= head.deadline:
                    waited = self.config.store_timeout_s
                    problem = f"not stored within {waited:g} s; send it again"
                else:
                    break
                head = self._settled(conn, head.message, problem)
            conn.answers.popleft()
            ready.append(head)
        if conn.answers:
            self._waiting[id(conn)] = conn
        else:
            self._waiting.pop(id(conn), None)
        if ready:
            self._reply(conn, b"".join(frame(r) for r in ready))

    def _safe_ack(
        self, source, code: str, text: str, error_code: int, location: tuple[str, int] | None
    ) -> bytes:
        self.stats.answers[code] += 1
        try:
            reply = ack(source, code, text, error_code=error_code, location=location)
        except Exception:  # ack() reads anything; this is the last resort
            log.exception("could not build an ACK")
            reply = f"MSH|^~\\&|GROUPKAP||||||ACK|0|P|2.6\rMSA|{code}|\r"
        return reply.encode("utf-8", "replace")

    def _reply(self, conn: _Connection, framed: bytes) -> None:
        conn.unsent += framed
        if len(conn.unsent) > MAX_UNSENT:
            self._close(conn, "the sender does not read its ACKs", logging.WARNING)
            return
        self._send(conn)

    def _send(self, conn: _Connection) -> None:
        try:
            sent = conn.sock.send(conn.unsent)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError as exc:
            self._close(conn, exc.strerror or str(exc), logging.WARNING)
            return
        del conn.unsent[:sent]
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if conn.unsent else 0)
        self._selector.modify(conn.sock, events, conn)


def _bind_problem(config: Hl7Config, exc: OSError) -> str:
    where = f"{config.bind} port {config.port}"
    if exc.errno == errno.EADDRINUSE:
        return (
            f"HL7 port {config.port} is in use (another program listens on {where}); "
            "stop it or choose another port ([hl7] port or --hl7-port)"
        )
    if exc.errno == errno.EACCES:
        return (
            f"HL7 port {config.port}: not allowed to listen on {where} (ports below 1024 "
            "need privileges); choose a port above 1024"
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return (
            f"cannot listen on {config.bind}: not an address of this machine ([hl7] bind or --bind)"
        )
    return f"cannot listen on {where}: {exc.strerror or exc}"
