#!/usr/bin/env python3
"""The reference client of `chargekit-bench firmware`: a firmware rollout done the obvious
way, one charger at a time with `requests`. For each charger it makes the calls chargekit
makes (POST the firmware update with an Idempotency-Key), then asks for the job until it is
over, before going on to the next charger.

usage: rollout_reference.py URL TOKEN FIRMWARE_ID POLL_SECONDS CHARGER...
prints one JSON line: {"seconds", "chargers", "succeeded", "failed", "requests"}
"""
import json
import sys
import time
import uuid

import requests


def main():
    url, token, firmware_id, poll = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    chargers = sys.argv[5:]
    session = requests.Session()
    session.headers["Authorization"] = "Bearer " + token
    succeeded = failed = calls = 0
    start = time.monotonic()
    for charger in chargers:
        answer = session.post(f"{url}/v1/chargers/{charger}/firmware-updates",
                              json={"firmwareId": firmware_id},
                              headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=60)
        calls += 1
        if answer.status_code != 201:
            failed += 1
            continue
        job = answer.json()
        while job["active"]:
            time.sleep(poll)
            job = session.get(f"{url}/v1/firmware-updates/{job['id']}", timeout=60).json()
            calls += 1
        booted = job["state"] == "Booted" and job["timeline"][-1].get("firmwareVersion") == job["targetVersion"]
        if booted:
            succeeded += 1
        else:
            failed += 1
    print(json.dumps({"seconds": time.monotonic() - start, "chargers": len(chargers), "succeeded": succeeded,
                      "failed": failed, "requests": calls}))


if __name__ == "__main__":
    main()
