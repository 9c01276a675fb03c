#!/usr/bin/env python3
"""Fortune cookies by category file, from Debian `fortunes` and `fortunes-min` (fortune-mod's collection):
which file (computers, law, love, politics, zippy, ...) a fortune comes from. Short, fuzzy, many classes;
the kind of set a tuned bag of n-grams was never shown. Files with fewer than 100 fortunes are left out.

Outputs: labeled/fortunes
"""
import os
import _shared  # noqa: F401  (puts ../shared/data on the path)
from _common import apt_install, apt_version, clean, write_labeled

DIR = "/usr/share/games/fortunes"
MIN_PER_FILE = 100


def main():
    apt_install("fortunes", "fortunes-min")
    examples = []
    for name in sorted(os.listdir(DIR)):
        path = os.path.join(DIR, name)
        if "." in name or not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            items = [clean(x) for x in f.read().split("\n%\n")]
        items = [x.strip("%").strip() for x in items]
        items = [x for x in items if len(x.split()) >= 3]
        if len(items) < MIN_PER_FILE:
            continue
        examples += [(name, x, "%s:%05d" % (name, i)) for i, x in enumerate(items)]
    write_labeled("fortunes", examples,
                  {"debian": "fortunes %s, fortunes-min %s" % (apt_version("fortunes"), apt_version("fortunes-min")),
                   "licence": "BSD (fortune-mod); collections as distributed by Debian"})


if __name__ == "__main__":
    main()
