"""A job worker for the soak: ``tenpoint worker``'s loop with a short lease.

``tenpoint worker`` claims a job for 5 minutes (``collector.worker.DEFAULT_LEASE``, not a
setting), so a worker killed mid-job leaves it for 5 minutes before another worker takes it
over. The soak must stay short, so it runs the very same ``Worker`` with a lease of a few
seconds (first argument). Run by bench/soak_delivery.py, never by run_all (``soak*``).
"""

from __future__ import annotations

import sys
from datetime import timedelta

from collector import create_app
from collector.clock import now
from collector.delivery import webhooks  # noqa: F401 - registers the delivery handler
from collector.extensions import db
from collector.worker import Worker


def main() -> None:
    lease = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    app = create_app()
    with app.app_context():
        worker = Worker(session_factory=db.sessionmaker, clock=now, poll_interval=0.2,
                        lease=timedelta(seconds=lease))
        worker.install_signal_handlers()
        # The soak maps the job's ``locked_by`` to this process through this line.
        print(f"worker {worker.worker_id} started", flush=True)
        worker.run_forever()


if __name__ == "__main__":
    main()
