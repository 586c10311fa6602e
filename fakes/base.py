"""What every fake marketplace shares: a threaded HTTP server on loopback, routing, a lock around
its in-memory state, a log of requests, and the fault switches.

A fake subclasses `FakeMarketplace`, declares its routes with `@route(method, pattern)` and answers
with `Response`. Faults apply to the marketplace's own API, never to the `/_fake/...` control paths:

    POST /_fake/faults   {"rate_limited": 3, "retry_after": 1, "server_errors": 2, "delay": 0,
                          "never_live": false, "reject": {"SKU-1": [...]},
                          "duplicate_orders": false, "fault_ratio": 0.0, "seed": 1,
                          "broken": "GET /orders", "broken_after": 1, "broken_times": 1,
                          "broken_kind": "503"}
                         (merged into the current switches)
    POST /_fake/orders   {"sku": "TERR-00042-01", "quantity": 1}   a buyer places an order
    POST /_fake/orders/<order id>/status   {"status": "delivered"}   the courier or the buyer moves
                         an order on: shipped, delivered, returned, or cancelled (by the buyer)
    POST /_fake/quantity {"sku": "TERR-00042-01", "quantity": 6}   someone changes the quantity a
                         listing offers in the seller portal, behind Niryat's back (drift)
    GET  /_fake/state    what the fake holds (listings, stock, orders), for tests and demos
    POST /_fake/reset    forget everything
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit


@dataclass
class Faults:
    rate_limited: int = 0  # the next N API calls answer 429 with Retry-After
    retry_after: float = 1.0  # seconds, in the Retry-After header
    server_errors: int = 0  # the next N API calls answer 503
    delay: float = 0.0  # seconds every API call waits before answering (timeouts)
    never_live: bool = False  # listings are accepted and stay in review forever
    # seller SKU -> errors in the marketplace's own shape; the listing is rejected with them
    reject: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    duplicate_orders: bool = False  # every order is reported twice
    fault_ratio: float = 0.0  # share of API calls that fail at random (429, 503 or a timeout)
    timeout_delay: float = 3.0  # how long a random "timeout" fault hangs
    seed: int = 1
    # API calls whose method and path (with its query) match this regular expression ("GET
    # /orders.*NextToken") answer normally `broken_after` times, then fail `broken_times` times
    # with `broken_kind`: "503", "429", "timeout" (answered only after `timeout_delay`, when the
    # client has given up, and only then taken), "late" (taken at once, answered after
    # `timeout_delay`) or "lost" (no answer in time, and never taken): a fault half-way through
    # paging.
    broken: str = ""
    broken_after: int = 0
    broken_times: int = 1
    broken_kind: str = "503"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    params: dict[str, str] = field(default_factory=dict)  # from the route pattern
    late: float = 0.0  # seconds to hold the answer back after handling the call

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def arg(self, name: str, default: str = "") -> str:
        return self.query.get(name, [default])[0]


@dataclass
class Response:
    status: int = 200
    body: Any = None  # JSON-serialisable, or bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


Handler = Callable[[Any, Request], Response]


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    """Declare a handler for `method` and a path regex (named groups become `request.params`)."""

    def mark(handler: Handler) -> Handler:
        handler._route = (method, re.compile(f"^{pattern}$"))  # type: ignore[attr-defined]
        return handler

    return mark


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that timed out hangs up before the answer: expected, not worth a traceback."""


class FakeMarketplace:
    """One marketplace's fake. Subclasses hold their state in attributes reset by `reset()` and
    read and change it only under `self.lock`."""

    name = "fake"

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []
        for attribute in dir(type(self)):
            handler = getattr(type(self), attribute)
            if callable(handler) and hasattr(handler, "_route"):
                method, pattern = handler._route
                self.routes.append((method, pattern, handler))
        self.server: ThreadingHTTPServer | None = None
        self.reset()

    # -- state ---------------------------------------------------------------------------------
    def reset(self) -> None:
        with self.lock:
            self.faults = Faults()
            self.random = random.Random(self.faults.seed)
            self.requests: list[Request] = []
            self.reset_state()

    def reset_state(self) -> None:
        """Subclasses forget their listings, orders and tokens here."""

    def set_faults(self, **switches: Any) -> None:
        with self.lock:
            for name, value in switches.items():
                if not hasattr(self.faults, name):
                    raise ValueError(f"unknown fault switch {name}")
                setattr(self.faults, name, value)
            if "seed" in switches:
                self.random = random.Random(self.faults.seed)

    def place_order(self, sku: str, quantity: int) -> dict[str, Any]:
        """A buyer orders `quantity` of a live listing; returns the marketplace's order."""
        raise NotImplementedError

    def state(self) -> dict[str, Any]:
        """What the fake holds, for tests and demos."""
        return {}

    # What `move_order` accepts: as the courier or the buyer would move an order on.
    ORDER_MOVES = ("shipped", "delivered", "returned", "cancelled")

    def move_order(self, order_id: str, status: str) -> None:
        """The courier picks it up, delivers it, or brings it back; or the buyer cancels it.
        Raises KeyError for an unknown order, ValueError for a move that cannot happen."""
        raise NotImplementedError

    def offered(self, sku: str) -> int | None:
        """The quantity a listing offers buyers now (None: no such listing)."""
        raise NotImplementedError

    def set_offered(self, sku: str, quantity: int) -> None:
        """Change a listing's quantity as a seller portal would, without our API (drift)."""
        raise NotImplementedError

    # -- fault injection -----------------------------------------------------------------------
    def error_response(self, status: int, code: str, message: str) -> Response:
        """An error in this marketplace's documented error shape."""
        return Response(status, {"errors": [{"code": code, "message": message}]})

    def injected_fault(self, request: Request) -> Response | None:
        with self.lock:
            faults = self.faults
            kind = ""
            call = f"{request.method} {request.path}?{urlencode(request.query, doseq=True)}"
            broken = faults.broken_times > 0 and bool(faults.broken)
            if broken and re.search(faults.broken, call) and faults.broken_after > 0:
                faults.broken_after -= 1
            elif broken and re.search(faults.broken, call):
                faults.broken_times -= 1
                kind = faults.broken_kind
            elif faults.rate_limited > 0:
                faults.rate_limited -= 1
                kind = "429"
            elif faults.server_errors > 0:
                faults.server_errors -= 1
                kind = "503"
            elif faults.fault_ratio and self.random.random() < faults.fault_ratio:
                kind = self.random.choice(["429", "503", "timeout"])
            delay = faults.timeout_delay if kind in ("timeout", "lost") else faults.delay
            if kind == "late":
                request.late = faults.timeout_delay
        if delay:
            time.sleep(delay)
        if kind == "lost":  # the client is long gone: whatever we answer, nothing was taken
            return self.error_response(503, "ServiceUnavailable", "Request dropped.")
        if kind == "429":
            response = self.error_response(429, "QuotaExceeded", "You exceeded your quota.")
            response.headers["Retry-After"] = f"{self.faults.retry_after:g}"
            return response
        if kind == "503":
            return self.error_response(
                503, "ServiceUnavailable", "Service temporarily unavailable."
            )
        return None

    # -- serving -------------------------------------------------------------------------------
    def dispatch(self, request: Request) -> Response:
        if request.path.startswith("/_fake/"):
            return self.control(request)
        with self.lock:
            self.requests.append(request)
        fault = self.injected_fault(request)
        if fault is not None:
            return fault
        for method, pattern, handler in self.routes:
            match = pattern.match(request.path)
            if match and method == request.method:
                request.params = match.groupdict()
                response = handler(self, request)
                if request.late:  # taken; the answer comes after the client gave up
                    time.sleep(request.late)
                return response
        return self.error_response(404, "NotFound", f"No route {request.method} {request.path}")

    def control(self, request: Request) -> Response:
        if request.path == "/_fake/faults" and request.method == "POST":
            try:
                self.set_faults(**request.json())
            except (TypeError, ValueError) as exc:
                return Response(400, {"error": str(exc)})
            return Response(200, asdict(self.faults))
        if request.path == "/_fake/orders" and request.method == "POST":
            data = request.json()
            try:
                return Response(201, self.place_order(data["sku"], int(data.get("quantity", 1))))
            except (KeyError, ValueError) as exc:
                return Response(400, {"error": str(exc)})
        moved = re.match(r"^/_fake/orders/(?P<order>[^/]+)/status$", request.path)
        if moved and request.method == "POST":
            status = str((request.json() or {}).get("status", ""))
            if status not in self.ORDER_MOVES:
                return Response(400, {"error": f"status must be one of {self.ORDER_MOVES}"})
            try:
                self.move_order(moved["order"], status)
            except KeyError:
                return Response(404, {"error": f"no order {moved['order']}"})
            except ValueError as exc:
                return Response(409, {"error": str(exc)})
            return Response(200, {"order": moved["order"], "status": status})
        if request.path == "/_fake/quantity" and request.method == "POST":
            data = request.json()
            try:
                self.set_offered(data["sku"], int(data["quantity"]))
            except (KeyError, ValueError) as exc:
                return Response(400, {"error": str(exc)})
            return Response(200, {"sku": data["sku"], "quantity": self.offered(data["sku"])})
        if request.path == "/_fake/state":
            with self.lock:
                return Response(200, self.state())
        if request.path == "/_fake/reset" and request.method == "POST":
            self.reset()
            return Response(200, {})
        return Response(404, {"error": "no such control path"})

    def start(self, port: int = 0, host: str = "127.0.0.1") -> str:
        """Serve in a background thread; returns the base URL."""
        fake = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Small answers go out at once, not after Nagle's ~40 ms wait for more bytes.
            disable_nagle_algorithm = True

            def handle_one(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={key.lower(): value for key, value in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                try:
                    response = fake.dispatch(request)
                except Exception as exc:  # a bug in the fake shows as a 500, like a real server
                    response = fake.error_response(500, "InternalFailure", repr(exc))
                body = response.body
                if not isinstance(body, bytes):
                    body = b"" if body is None else json.dumps(body).encode()
                self.send_response(response.status)
                self.send_header("Content-Type", response.content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_one

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

        self.server = QuietServer((host, port), RequestHandler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self.url

    @property
    def url(self) -> str:
        assert self.server is not None, "start() the fake first"
        host, port = self.server.server_address[:2]
        if isinstance(host, bytes):
            host = host.decode()
        return f"http://{host}:{port}"

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
