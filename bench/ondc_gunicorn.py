"""gunicorn settings for bench_ondc_search: a small district server (2 workers × 4 threads), and
the bench's own search handler in each worker (the ACK is measured, not the catalogue)."""

from typing import Any

workers = 2
threads = 4
worker_class = "gthread"
backlog = 2048
accesslog = None


def post_worker_init(worker: Any) -> None:
    from niryat.channels.ondc import server

    server.HANDLERS["search"] = "bench.bench_ondc_search.answer_search"
