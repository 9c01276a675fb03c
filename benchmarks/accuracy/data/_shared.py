"""Finds ../shared/data/_common.py (the shared sets' writer) so that these sets use the same layout, split and
duplicate rules. SHARED overrides the folder; else ../shared beside the repository, else /work/shared."""
import os
import sys

sys.dont_write_bytecode = True
_repo = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
for _candidate in (os.environ.get("SHARED"), os.path.join(_repo, "..", "shared"), "/work/shared"):
    if _candidate and os.path.isfile(os.path.join(_candidate, "data", "_common.py")):
        sys.path.insert(0, os.path.join(_candidate, "data"))
        break
else:
    raise SystemExit("../shared/data/_common.py not found; set SHARED to the shared folder")
