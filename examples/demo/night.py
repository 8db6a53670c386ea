#!/usr/bin/python3
"""Plays a short simulated night against a running Sundial (`make run`), so that a new user
can watch the whole flow in the browser: several sites send orders (HL7 ORM^O01 over MLLP)
and studies (DICOM C-STORE with storescu, generated with pydicom), and readers log in, claim
the most urgent task, read it and report it (through the HTTP API).

Every part checks what the engine answers. A part the engine does not offer yet (no HL7
listener, no task API) is reported once and skipped, so the night plays as far as the
engine goes. Patients are synthetic; nothing identifying is printed.

    examples/demo/night.py                    # about 3 minutes, against examples/config.yaml
    examples/demo/night.py --studies 4 --pace 0.2   # quick
See examples/demo/README.md.
"""

import argparse
import os
import random
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import demo_destinations  # noqa: E402
import demo_engine  # noqa: E402
import demo_studies  # noqa: E402
import demo_readers  # noqa: E402
import demo_site_ris  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CONFIG = os.path.join(HERE, "..", "config.yaml")
PRIORITIES = [("STAT", 0.2), ("URGENT", 0.3), ("ROUTINE", 0.5)]


def pick_priority(rng):
    roll = rng.random()
    for name, weight in PRIORITIES:
        if roll < weight:
            return name
        roll -= weight
    return "ROUTINE"


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", default=DEFAULT_CONFIG, help="the engine's configuration (sites, ports, demo users)")
    p.add_argument("--host", default="127.0.0.1", help="where the engine runs")
    p.add_argument("--http-port", type=int, help="default: node.http_port of --config")
    p.add_argument("--dicom-port", type=int, help="default: node.dicom_port of --config")
    p.add_argument("--hl7-port", type=int, help="default: hl7.port of --config (no orders without it)")
    p.add_argument("--studies", type=int, default=12, help="studies sent over the night (default 12)")
    p.add_argument("--pace", type=float, default=1.0,
                   help="time scale: 1.0 is about 3 minutes for 12 studies, 0.2 five times faster")
    p.add_argument("--reader", action="append", default=[], metavar="USER:PASSWORD",
                   help="a reader account to play (repeatable); default: the config's demo readers")
    p.add_argument("--no-readers", action="store_true", help="only send orders and studies")
    p.add_argument("--seed", type=int, default=7, help="random seed (printed), for a repeatable night")
    p.add_argument("--tls-dir", help="the demo certificates (make tls-certs) for a TLS configuration such as "
                   "examples/config-tls.yaml: each link the configuration puts under TLS is spoken over TLS")
    p.add_argument("--wait", type=float, default=60.0,
                   help="after the last study, how long readers keep working (seconds, scaled by --pace)")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    rng = random.Random(args.seed)
    engine = demo_engine.Engine.from_config(args.config, args.host, args.http_port, args.dicom_port, args.hl7_port,
                                            args.tls_dir)
    tls = engine.tls
    print(f"night: engine {engine.base_url()}, DICOM {engine.dicom_port}{' (TLS)' if tls.dicom_port else ''}, "
          f"HL7 {engine.hl7_port or 'off'}{' (TLS)' if tls.mllp_in else ''}; {len(engine.sites)} site(s); "
          f"seed {args.seed}")
    if not engine.healthy():
        print(f"night: the engine does not answer {engine.base_url()}/healthz: start it with `make run` "
              "(or `make run-tls`) first", file=sys.stderr)
        return 2
    print(f"night: open {engine.base_url()}/ in a browser to watch")

    # The sites' RIS, where the engine delivers reports: played here when a site's
    # `reports:` endpoint is on this machine.
    ris = []
    for host, port, over_tls in engine.report_endpoints():
        try:
            context = engine.certificates.server_context("site-ris") if over_tls else None
            ris.append(demo_site_ris.SiteRis(host, port, context).start())
            print(f"night: playing the sites' RIS on {host}:{port}{' over TLS' if over_tls else ''} "
                  "(reports are ACKed there)")
        except OSError as e:
            engine.note_once(f"cannot listen on {host}:{port} for the sites' reports ({e.strerror or e})")

    # Over TLS, the destinations on this machine are played too (storescp +tls), so that the
    # images leave the engine over TLS as well.
    destinations = []
    if engine.certificates is not None and engine.tls.dicom_port:
        destinations = demo_destinations.start(engine.config, engine.certificates, lambda t: print(f"night: {t}"))

    stop = threading.Event()
    readers = []
    if not args.no_readers:
        accounts = [a.split(":", 1) for a in args.reader] or engine.demo_readers
        readers = [demo_readers.Reader(engine, user, password, rng.random(), args.pace, stop)
                   for user, password in accounts]
        for reader in readers:
            reader.start()

    sent = {"orders": 0, "studies": 0}
    with tempfile.TemporaryDirectory(prefix="sundial-night-") as work:
        for n in range(args.studies):
            site = rng.choice(engine.sites)
            study = demo_studies.make_study(work, site, n, pick_priority(rng), rng)
            if engine.send_order(study):
                sent["orders"] += 1
            if engine.send_study(study):
                sent["studies"] += 1
            print(f"night: {study.priority:7} {study.modality} study {n + 1}/{args.studies} from {site.name}")
            time.sleep(rng.uniform(5, 25) * args.pace)

    if readers:
        deadline = time.monotonic() + args.wait * args.pace
        while time.monotonic() < deadline and any(r.busy_or_waiting() for r in readers):
            time.sleep(0.5)
    stop.set()
    for reader in readers:
        reader.join(timeout=30)

    reported = sum(r.reported for r in readers)
    delivered = sum(r.received for r in ris)
    for r in ris:
        r.stop()
    demo_destinations.settle(destinations)
    for d in destinations:
        print(f"night: destination {d.name} received {d.images()} images over TLS")
        d.stop()
    print(f"night: sent {sent['orders']} orders and {sent['studies']} studies; readers reported {reported}; "
          f"sites received {delivered} reports")
    engine.print_tat()
    return 0 if sent["studies"] == args.studies else 1


if __name__ == "__main__":
    sys.exit(main())
