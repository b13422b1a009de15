"""Webhook intake benchmark: requests per second the channel webhook endpoint sustains under
gunicorn on this machine, next to a bare Django view on the same set-up, as a ratio.

    .venv/bin/python -m config.devservices --redis -- .venv/bin/python -m bench.bench_intake \\
        [--requests 4000] [--clients 4] [--seconds 30] [--web-workers 2]

Same gunicorn for both (``--web-workers`` gthread workers x 8 threads, settings
bench.intake_settings = the project's plus a bare view at /bench/bare/). The load generator is
``--clients`` processes on loopback, each with one keep-alive connection, sending its share of
``--requests`` prebuilt requests (bounded in count and by ``--seconds``). Intake requests are
signed generic-channel webhooks, each of a different order (unique event ids): the endpoint
verifies the signature, stores the event and enqueues its processing on Redis (no worker runs, so
only the endpoint is measured). The bare view gets the same bodies. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.env import bench_environ_set  # noqa: E402 (after the path above)

bench_environ_set()


def _client(port: int, path: str, requests: list, seconds: float, out) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    ok = bad = 0
    deadline = time.monotonic() + seconds
    for body, headers in requests:
        if time.monotonic() > deadline:
            break
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status < 300:
            ok += 1
        else:
            bad += 1
    conn.close()
    out.put((ok, bad))


def _load(port: int, path: str, requests: list, clients: int, seconds: float) -> dict:
    queue = multiprocessing.Queue()
    shares = [requests[i::clients] for i in range(clients)]
    procs = [multiprocessing.Process(target=_client, args=(port, path, s, seconds, queue)) for s in shares]
    started = time.perf_counter()
    for proc in procs:
        proc.start()
    results = [queue.get(timeout=seconds + 60) for _ in procs]
    wall = time.perf_counter() - started
    for proc in procs:
        proc.join()
    ok, bad = sum(r[0] for r in results), sum(r[1] for r in results)
    return {"requests": ok + bad, "errors": bad, "seconds": round(wall, 2), "rps": round(ok / wall, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Webhook intake benchmark (module docstring).")
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--web-workers", type=int, default=2)
    args = parser.parse_args(argv)
    import django

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("bench_intake needs PostgreSQL and Redis (run it under config.devservices --redis)")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from channels_app.services.accounts import account_create
    from config.sandbox.generic_channel import GenericChannelServer

    shop = GenericChannelServer(api_key="intake-key", webhook_secret=os.urandom(8).hex())
    shop.httpd.server_close()  # only its order snapshots and signatures are used
    account = account_create(
        kind="generic",
        name="Intake",
        base_url="http://127.0.0.1:9/api/",
        credentials={"api_key": shop.api_key, "webhook_secret": shop.webhook_secret},
        schedule=False,
    )
    shop.listing_add("L1", sku="INTAKE-1", quantity=10**9)
    requests = []
    for _ in range(args.requests + 200):
        body, headers = shop.webhook(shop.buy("L1", 1), "order.created")
        requests.append((body, {**headers, "Content-Type": "application/json"}))
    warm, measured = requests[:200], requests[200:]
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.intake_settings"}
    gunicorn = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{port}",
         "-w", str(args.web_workers), "-k", "gthread", "--threads", "8", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        _wait_port(port)
        intake_path = f"/webhooks/channels/{account.webhook_token}/"
        _load(port, "/bench/bare/", warm, args.clients, args.seconds)
        _load(port, intake_path, warm, args.clients, args.seconds)  # duplicates: warm-up only
        bare = _load(port, "/bench/bare/", measured, args.clients, args.seconds)
        intake = _load(port, intake_path, measured, args.clients, args.seconds)
    finally:
        gunicorn.terminate()
        gunicorn.wait(20)
    out = {
        "benchmark": "intake",
        "intake_rps": intake["rps"],
        "bare_view_rps": bare["rps"],
        "intake_to_bare_ratio": round(intake["rps"] / bare["rps"], 3) if bare["rps"] else None,
        "intake": intake,
        "bare_view": bare,
        "clients": args.clients,
        "web_workers": args.web_workers,
        "cpus": os.cpu_count(),
        "load_average_1min": os.getloadavg()[0],
    }
    print(json.dumps(out, indent=1))
    return 0


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_port(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not come up")


if __name__ == "__main__":
    sys.exit(main())
