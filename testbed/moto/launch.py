"""Start the local AWS: moto's ThreadedMotoServer with the test bed's fidelity patches.

Usage: python3 launch.py [--port 0] [--eip-quota 5] [--no-speed-patches]

Prints one JSON line {"endpoint": "http://127.0.0.1:PORT"} on stdout once the server accepts
requests, then serves until stdin closes (the parent process ended) or SIGTERM/SIGINT arrives.
Binds 127.0.0.1 only. Requests under /_testbed/ are the test bed's own controls (patches.py).
"""

from __future__ import annotations

import argparse
import logging
import json
import os
import signal
import sys
import threading

os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "false")

try:
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server
except ImportError as error:  # pragma: no cover - reported to the TypeScript launcher
    sys.stderr.write(
        f"moto[server] is not importable ({error}); the test bed needs moto 5.2.1 with its server extra\n"
    )
    sys.exit(3)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import patches  # noqa: E402


class _TestbedRoutes:
    """WSGI middleware: /_testbed/* goes to the test bed, everything else to moto."""

    def __init__(self, app: object) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response):  # type: ignore[no-untyped-def]
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/_testbed/"):
            return self.app(environ, start_response)  # type: ignore[operator]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        status, payload = patches.handle_testbed_request(environ["REQUEST_METHOD"], path, body)
        data = json.dumps(payload).encode()
        start_response(f"{status} X", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]


class PatchedMotoServer(ThreadedMotoServer):
    """ThreadedMotoServer whose WSGI app also answers the test bed's control routes."""

    def _server_entry(self) -> None:
        app = _TestbedRoutes(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(self._ip_address, self._port, app, True)
        self._server_ready_event.set()
        self._server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--eip-quota", type=int, default=5)
    parser.add_argument(
        "--no-speed-patches",
        action="store_true",
        help="leave out the speed-only patches (_speed_up_* in patches.py), to compare answers without them",
    )
    args = parser.parse_args()

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    patches.apply_all(speed=not args.no_speed_patches)
    patches.SETTINGS["eipQuota"] = args.eip_quota

    server = PatchedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    sys.stdout.write(json.dumps({"endpoint": f"http://{host}:{port}"}) + "\n")
    sys.stdout.flush()

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())

    def watch_stdin() -> None:
        # The parent holds our stdin open; EOF means it has gone, so we go too.
        sys.stdin.read()
        done.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    while not done.wait(0.5):
        pass
    server.stop()


if __name__ == "__main__":
    main()
