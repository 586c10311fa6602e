"""gunicorn settings for bench_ondc_search: a small district server (2 workers × 4 threads), and
the bench's own search and select handlers in each worker (the protocol is measured, not the
catalogue or the quote)."""

from typing import Any

workers = 2
threads = 4
worker_class = "gthread"
backlog = 2048
accesslog = None


def post_worker_init(worker: Any) -> None:
    from niryat.channels.ondc import server

    server.HANDLERS["search"] = "bench.bench_ondc_search.answer_search"
    server.HANDLERS["select"] = "bench.bench_ondc_search.answer_select"
