"""Run the fake marketplaces for demo mode: `python -m fakes` (make run starts it).

Amazon, Flipkart and eBay answer on loopback ports 8701, 8702 and 8703, ONDC's registry on 8704 and
an ONDC buyer app (with its gateway, registered there) on 8705, until stopped; the README says how
to point Niryat at them, place a buyer's order, and switch faults on.
"""

from __future__ import annotations

import argparse
import signal
import socket
import sys
import threading
import time

import httpx

from fakes.amazon import FakeAmazon
from fakes.ebay import FakeEbay
from fakes.flipkart import FakeFlipkart
from fakes.ondc_bap import FakeOndcBuyerApp
from fakes.ondc_registry import FakeOndcRegistry

PORTS = {"amazon": 8701, "flipkart": 8702, "ebay": 8703, "ondc-registry": 8704, "ondc-bap": 8705}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m fakes", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--wait",
        type=float,
        metavar="SECONDS",
        help="start nothing: wait until the fakes (started elsewhere) listen, then exit",
    )
    parser.add_argument(
        "--registry-key",
        action="store_true",
        help="start nothing: print the running fake ONDC registry's public encryption key",
    )
    args = parser.parse_args()
    if args.registry_key:
        url = f"http://{args.host}:{PORTS['ondc-registry']}/_fake/encryption_key"
        print(httpx.get(url, timeout=10).text)  # noqa: T201
        return
    if args.wait is not None:
        sys.exit(wait_for(args.host, args.wait))
    bap = FakeOndcBuyerApp()
    fakes = {
        "amazon": FakeAmazon(),
        "flipkart": FakeFlipkart(),
        "ebay": FakeEbay(),
        "ondc-registry": FakeOndcRegistry(),
        "ondc-bap": bap,
    }
    for name, fake in fakes.items():
        url = fake.start(PORTS[name], args.host)
        print(f"fake {name}: {url}", flush=True)  # noqa: T201
    bap.register(fakes["ondc-registry"].url)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    for fake in fakes.values():
        fake.stop()


def wait_for(host: str, seconds: float) -> int:
    """0 once every fake's port takes connections, 1 if one does not within `seconds`."""
    deadline = time.monotonic() + seconds
    waiting = sorted(PORTS.values())
    while waiting:
        waiting = [port for port in waiting if not _listening(host, port)]
        if waiting and time.monotonic() > deadline:
            print(f"fake marketplaces not listening on {host}: {waiting}", file=sys.stderr)  # noqa: T201
            return 1
        if waiting:
            time.sleep(0.1)
    return 0


def _listening(host: str, port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex((host, port)) == 0


if __name__ == "__main__":
    main()
