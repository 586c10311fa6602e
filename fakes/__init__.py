"""Local fake marketplaces: small HTTP servers that follow each marketplace's documented API, with
switches for faults. Tests, benches and demo mode (`make run`) talk to them over loopback."""
