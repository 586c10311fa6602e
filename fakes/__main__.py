"""Run the fake marketplaces for demo mode: `python -m fakes` (make run starts it).

Amazon, Flipkart and eBay answer on loopback ports 8701, 8702 and 8703 until stopped; the README
says how to point Niryat at them, place a buyer's order, and switch faults on.
"""

from __future__ import annotations

import argparse
import signal
import threading

from fakes.amazon import FakeAmazon
from fakes.ebay import FakeEbay
from fakes.flipkart import FakeFlipkart

PORTS = {"amazon": 8701, "flipkart": 8702, "ebay": 8703}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m fakes", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    fakes = {"amazon": FakeAmazon(), "flipkart": FakeFlipkart(), "ebay": FakeEbay()}
    for name, fake in fakes.items():
        url = fake.start(PORTS[name], args.host)
        print(f"fake {name}: {url}", flush=True)  # noqa: T201
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    for fake in fakes.values():
        fake.stop()


if __name__ == "__main__":
    main()
