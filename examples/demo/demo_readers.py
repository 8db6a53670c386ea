"""A reader played by the demo: logs in, takes the most urgent open task that is theirs or
unassigned, claims it (a 409 means another reader won: take the next), starts it, "reads"
for a while and marks it reported — each step through the HTTP API, as the page would."""

import random
import threading
import time

PRIORITY_RANK = {"STAT": 0, "URGENT": 1, "ROUTINE": 2}
OPEN_FOR_CLAIM = {"queued", "assigned", "escalated", "reassigned"}
READ_SECONDS = {"STAT": (8, 15), "URGENT": (10, 25), "ROUTINE": (15, 40)}


class Reader(threading.Thread):
    def __init__(self, engine, user, password, seed, pace, stop):
        super().__init__(name=f"reader-{user}", daemon=True)
        self.engine = engine
        self.user = user
        self.password = password
        self.rng = random.Random(seed)
        self.pace = pace
        self.stop_event = stop
        self.token = None
        self.reader_id = user
        self.reported = 0
        self._reading = False
        self._saw_open_tasks = True

    def busy_or_waiting(self):
        return self._reading or self._saw_open_tasks

    def run(self):
        try:
            self.token, reader_id = self.engine.log_in(self.user, self.password)
            self.reader_id = reader_id or self.user
        except RuntimeError as e:
            print(f"night: {e}")
            return
        while not self.stop_event.is_set():
            task = self.next_task()
            if task is None:
                self.stop_event.wait(1.0)
                continue
            self.work_on(task)

    def next_task(self):
        status, answer = self.engine.request("GET", "/api/v1/tasks", token=self.token)
        if status in (404, 405):
            self.engine.note_once("the engine has no task API (/api/v1/tasks) yet: readers stay idle")
            self._saw_open_tasks = False
            return None
        if status != 200 or not answer:
            return None
        mine_or_free = [t for t in answer.get("tasks", [])
                        if t.get("state") in OPEN_FOR_CLAIM and t.get("assigned_reader") in (None, "", self.reader_id)
                        and not t.get("claimed_by")]
        self._saw_open_tasks = bool(mine_or_free)
        mine_or_free.sort(key=lambda t: (PRIORITY_RANK.get(t.get("priority"), 3), t.get("due_ms") or 0))
        return mine_or_free[0] if mine_or_free else None

    def act(self, task, action, body=None):
        # The reader names themselves: needed when the engine runs without log-in.
        body = dict(body or {}, reader=self.reader_id)
        status, answer = self.engine.request("POST", f"/api/v1/tasks/{task['id']}/{action}", body, token=self.token)
        if status == 200:
            return True
        if status == 409 and action == "claim":
            return False  # another reader was faster: take the next task
        self.engine.note_once(f"the engine refused to {action} a task ({status}): {(answer or {}).get('error')}")
        return False

    def work_on(self, task):
        if not self.act(task, "claim"):
            return
        self._reading = True
        try:
            print(f"night: {self.user} claimed a {task.get('priority')} {task.get('modality', '')} task")
            if not self.act(task, "start"):
                self.act(task, "release")
                return
            low, high = READ_SECONDS.get(task.get("priority"), (15, 40))
            if self.stop_event.wait(self.rng.uniform(low, high) * self.pace):
                self.act(task, "release")
                return
            text = "Demo report: no acute findings. (Simulated by examples/demo.)"
            if self.act(task, "report", {"status": "final", "text": text}):
                self.reported += 1
                print(f"night: {self.user} reported a {task.get('priority')} task")
        finally:
            self._reading = False
