"""Re-scoring the calls a QA search found, in the background, with progress to poll.

One thread per batch runs roleplay/qa/rescore.py over the calls' folders and keeps the
records in step (RecordBatch), as `roleplay rescore` does. It re-scores in that thread
(jobs=1): forking worker processes from a threaded web server can copy a held lock into
the child, and a station's batch is the calls of one search, not a whole archive.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from roleplay.model.errors import RoleplayError

KEPT_JOBS = 50


@dataclass
class RescoreJob:
    id: str
    total: int
    done: int = 0
    failed: int = 0
    finished: bool = False
    error: str = ""                       # the batch stopped (the database, a model)
    changed: list[dict[str, Any]] = field(default_factory=list)   # calls whose score moved

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "total": self.total, "done": self.done, "failed": self.failed,
                "finished": self.finished, "error": self.error, "changed": self.changed[:200]}


class RescoreJobs:
    def __init__(self) -> None:
        self._jobs: dict[str, RescoreJob] = {}
        self._lock = threading.Lock()

    def get(self, job_id: str) -> RescoreJob | None:
        with self._lock:
            return self._jobs.get(job_id)

    def start(self, calls_dir: Path, db_url: str | None, call_ids: list[str]) -> RescoreJob:
        job = RescoreJob(secrets.token_urlsafe(8), len(call_ids))
        with self._lock:
            self._jobs[job.id] = job
            for old in list(self._jobs)[:-KEPT_JOBS]:   # a long-running server keeps the recent ones
                del self._jobs[old]
        folders = [calls_dir / c for c in call_ids]
        threading.Thread(target=_run, args=(job, folders, db_url), name=f"rescore-{job.id}", daemon=True).start()
        return job


def _run(job: RescoreJob, folders: list[Path], db_url: str | None) -> None:
    from roleplay.qa.rescore import Options, rescore_all
    from roleplay.records.progress import RecordBatch

    try:
        records = RecordBatch(db_url)
        try:
            for result in rescore_all(folders, Options(), jobs=1):
                job.failed += not result.ok
                if result.record is not None:
                    records.add(result.record)
                if result.ok and result.delta:
                    job.changed.append(result.to_json())
                job.done += 1
        finally:
            records.close()
        job.error = records.failed.splitlines()[0] if records.failed else ""
    except RoleplayError as error:
        job.error = str(error).splitlines()[0]
    finally:
        job.finished = True
