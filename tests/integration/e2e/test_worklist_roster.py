"""The worklist against a configured roster (issue 5, with issue 4's push and pull pools), over
real HTTP against `sundial serve` with its own embedded redis-server.

Claims: a reader claims only an unassigned task of a pull pool they belong to, and only a study
they may legally read (licence for the site's state, credential at the site, the modality);
a refusal is a 403 naming why, audited, and changes nothing; the reader's list shows exactly
what they may claim; a dispatcher's reassignment still goes through. The board: each reader's
shift status from the roster's schedule in the reader's time zone, at the time of the request.
"""

import datetime
import hashlib
import json
import unittest
import urllib.error
import urllib.parse
import urllib.request

from harness import API_TOKEN, API_TOKEN_SHA256, EndToEndTest, Sundial, free_port, wait_until

STUDY = "1.2.840.99.8.{}"
ALWAYS = '[{days: daily, from: "00:00", to: "24:00"}]'
READERS = ("lee", "kim", "nyonly", "mronly", "later")


def call(port, method, path, body=None, token=API_TOKEN, timeout=10):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json",
                                              "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read().decode() or "null")
    except urllib.error.HTTPError as e:
        text = e.read().decode()
        return e.code, json.loads(text) if text.startswith("{") else text


def reader_token(reader):
    return f"token-of-{reader}"


def token_yaml(reader):
    digest = hashlib.sha256(reader_token(reader).encode()).hexdigest()
    return f"{{name: {reader}, token_sha256: {digest}, roles: [reader], reader: {reader}}}"


def not_now_shift():
    """A daily one-hour shift (UTC) that starts two hours from now: off shift for the test."""
    start = (datetime.datetime.now(datetime.timezone.utc).hour + 2) % 24
    return f'[{{days: daily, from: "{start:02d}:00", to: "{(start + 1) % 24:02d}:00"}}]'


def roster_config():
    def reader(rid, licences, modalities, pools, shifts=ALWAYS):
        return (f"  - {{id: {rid}, name: Dr {rid}, licences: [{licences}], credentials: [DEMO], "
                f"modalities: [{modalities}], time_zone: UTC, shifts: {shifts}, "
                f"destination: ARCHIVE, pools: [{pools}]}}\n")
    return ("readers:\n"
            + reader("lee", "TX", "CT", "overflow, remote")
            + reader("kim", "TX", "CT", "remote")               # not in the pull pool
            + reader("nyonly", "NY", "CT", "overflow")          # no licence for Texas
            + reader("mronly", "TX", "MR", "overflow")          # does not read CT
            + reader("later", "TX", "CT", "overflow", not_now_shift())
            + "rules:\n  pools: [{name: remote, mode: push}, {name: overflow, mode: pull}]\n"
            + "security:\n  api_tokens:\n"
            + f"    - {{name: e2e, token_sha256: {API_TOKEN_SHA256}, roles: [admin]}}\n"
            + "".join(f"    - {token_yaml(r)}\n" for r in READERS))


def as_reader(port, reader, method, path, body=None):
    return call(port, method, path, body, token=reader_token(reader))


class WorklistRosterTest(EndToEndTest):
    def setUp(self):
        super().setUp()
        self.sundial = self.track(Sundial(
            self.workdir, [{"name": "ARCHIVE", "ae": "ARCHIVE", "port": free_port()}],
            extra_config=roster_config()))
        self.port = self.sundial.http_port

    def create(self, n, pool, modality="CT", **extra):
        body = {"study_uids": [STUDY.format(n)], "site": "DEMO", "modality": modality,
                "priority": "ROUTINE", "pool": pool,
                "order": {"accession_number": f"ACC{n}", "procedure_code": "X", "procedure_text": "X"}}
        body.update(extra)
        status, task = call(self.port, "POST", "/api/v1/tasks", body)
        self.assertEqual(status, 201, task)
        return task

    def listed(self, reader):
        status, body = as_reader(self.port, reader, "GET", "/api/v1/tasks")
        self.assertEqual(status, 200, body)
        return sorted(t["id"] for t in body["tasks"])

    def assert_refused(self, reader, task, reason):
        status, body = as_reader(self.port, reader, "POST", f"/api/v1/tasks/{task['id']}/claim", {})
        self.assertEqual((status, body.get("reason")), (403, reason), body)
        self.assertIn("may not claim", body["error"])
        status, after = call(self.port, "GET", f"/api/v1/tasks/{task['id']}")
        self.assertEqual((after["state"], after.get("claimed_by")), (task["state"], task.get("claimed_by")))
        self.assertEqual(after["version"], task["version"], "a refused claim changes nothing")

    def test_a_readers_page_is_full_of_tasks_they_may_claim_issue5(self):
        # The more urgent tasks wait in the push pool, which lee may not claim from: a page of
        # three still holds three tasks lee may claim (read on past the hidden ones), and the
        # pages after it hold the rest, once each.
        for n in range(6):
            self.create(40 + n, "remote", priority="STAT")
        made = [self.create(50 + n, "overflow")["id"] for n in range(5)]
        status, everything = call(self.port, "GET", "/api/v1/tasks")
        pull = [t["id"] for t in everything["tasks"] if t["id"] in made]  # in the list's order
        self.assertEqual(len(pull), 5)
        status, page = as_reader(self.port, "lee", "GET", "/api/v1/tasks?limit=3")
        self.assertEqual(status, 200, page)
        self.assertEqual([t["id"] for t in page["tasks"]], pull[:3])
        seen, path = [], "/api/v1/tasks?limit=3"
        for _ in range(10):
            status, page = as_reader(self.port, "lee", "GET", path)
            self.assertEqual(status, 200, page)
            seen += [t["id"] for t in page["tasks"]]
            if "next_after" not in page:
                break
            path = "/api/v1/tasks?limit=3&after=" + urllib.parse.quote(page["next_after"])
        self.assertEqual(seen, pull)
        self.assertEqual(self.listed("kim"), [], "kim sees none of the pool tasks")

    def test_claims_follow_pools_and_eligibility_issue5(self):
        pull = self.create(1, "overflow")
        push = self.create(2, "remote")
        mr = self.create(3, "overflow", modality="MR")

        # The claimable lists: exactly what each may claim.
        self.assertEqual(self.listed("lee"), [pull["id"]])
        self.assertEqual(self.listed("kim"), [])
        self.assertEqual(self.listed("nyonly"), [])
        self.assertEqual(self.listed("mronly"), [mr["id"]])

        self.assert_refused("kim", pull, "not_in_pool")
        self.assert_refused("lee", push, "push_pool")
        self.assert_refused("nyonly", pull, "licence")
        self.assert_refused("mronly", pull, "modality")

        status, claimed = as_reader(self.port, "lee", "POST", f"/api/v1/tasks/{pull['id']}/claim", {})
        self.assertEqual((status, claimed["claimed_by"]), (200, "lee"), claimed)
        # Another member who may read it: a conflict with the task's state, not a refusal.
        status, body = as_reader(self.port, "later", "POST", f"/api/v1/tasks/{pull['id']}/claim", {})
        self.assertEqual(status, 409, body)
        self.assertIn("already claimed by reader lee", body["error"])

        # The dispatcher's override still goes through (and the reader then claims it).
        status, moved = call(self.port, "POST", f"/api/v1/tasks/{push['id']}/assign",
                             {"reader": "kim", "reason": "override"})
        self.assertEqual((status, moved["assigned_reader"]), (200, "kim"), moved)
        self.assertIn(push["id"], self.listed("kim"))
        status, claimed = as_reader(self.port, "kim", "POST", f"/api/v1/tasks/{push['id']}/claim", {})
        self.assertEqual(status, 200, claimed)

        # Every refused claim is in the audit trail, with the reader and the reason.
        def refusals():
            status, body = call(self.port, "GET", "/api/v1/audit?action=task.claim_refused")
            return body["records"] if status == 200 and len(body["records"]) >= 5 else None
        records = wait_until(refusals, 10, "five refused claims in the audit trail")
        self.assertEqual(sorted(r["details"]["reader"] for r in records),
                         ["kim", "later", "lee", "mronly", "nyonly"])
        self.assertTrue(all(r["outcome"] == "failure" for r in records))
        self.assertIn("is a push pool", next(r for r in records if r["details"]["reader"] == "lee")
                      ["details"]["reason"])

    def test_board_shows_shift_status_from_the_roster_issue5(self):
        status, board = call(self.port, "GET", "/api/v1/readers")
        self.assertEqual(status, 200, board)
        by_id = {r["reader"]: r for r in board["readers"]}
        self.assertEqual(sorted(by_id), sorted(READERS))
        self.assertIs(by_id["lee"]["on_shift"], True)
        self.assertIs(by_id["later"]["on_shift"], False)
        self.assertEqual(by_id["later"]["time_zone"], "UTC")
        self.assertIs(by_id["lee"]["online"], False)
        as_reader(self.port, "lee", "POST", "/api/v1/readers/lee/heartbeat", {})
        status, board = call(self.port, "GET", "/api/v1/readers?reader=lee")
        self.assertEqual((board["readers"][0]["online"], board["readers"][0]["on_shift"]), (True, True))


if __name__ == "__main__":
    unittest.main()
