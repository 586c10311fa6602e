"""Niryat's benchmarks: `make bench`, or `python -m bench --help`.

The harness (`__main__.py`) makes a throwaway database, migrates it, fills it with the synthetic
dataset of `generate.py` at `--scale` (a fraction of the state DESIGN.md designs for), runs every
`bench_*.py` module here and prints one table. Speed is measured here only, never in unit tests.

To add a benchmark, create `bench/bench_<topic>.py` with

    def run(scale: float) -> list[Result]:

that returns one `harness.Result` per figure. Each figure is measured against a baseline in the
same run (`harness.compare` times the two interleaved) and names its dataset size; a `Target`
is optional. Data the benchmark needs beyond the shared dataset is made inside `run`, sized by
`scale`; data every benchmark needs belongs in `generate.py`. Keep one module under 20 seconds
at the default scale, and remove what you add that could change another module's figures:
modules share the database.
"""
