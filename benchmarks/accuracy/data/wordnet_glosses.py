#!/usr/bin/env python3
"""WordNet 3.0 noun and verb glosses by lexicographer file (noun.animal, noun.artifact, verb.motion, ...),
from Debian `wordnet-base`: the topic of a dictionary definition, 40 classes, from the gloss alone (the
headwords are left out, so the model must read the definition). A deterministic md5 sample of 30,000
synsets keeps it the size of a user's labeled set.

Outputs: labeled/wordnet-glosses
"""
import hashlib
import _shared  # noqa: F401
from _common import apt_install, apt_version, clean, write_labeled

LEXNAMES = ["adj.all", "adj.pert", "adv.all", "noun.Tops", "noun.act", "noun.animal", "noun.artifact",
            "noun.attribute", "noun.body", "noun.cognition", "noun.communication", "noun.event", "noun.feeling",
            "noun.food", "noun.group", "noun.location", "noun.motive", "noun.object", "noun.person",
            "noun.phenomenon", "noun.plant", "noun.possession", "noun.process", "noun.quantity", "noun.relation",
            "noun.shape", "noun.state", "noun.substance", "noun.time", "verb.body", "verb.change",
            "verb.cognition", "verb.communication", "verb.competition", "verb.consumption", "verb.contact",
            "verb.creation", "verb.emotion", "verb.motion", "verb.perception", "verb.possession", "verb.social",
            "verb.stative", "verb.weather", "adj.ppl"]
SAMPLE = 30000
MIN_PER_CLASS = 100


def main():
    apt_install("wordnet-base")
    synsets = []
    for pos in ("noun", "verb"):
        with open("/usr/share/wordnet/data." + pos, encoding="utf-8") as f:
            for line in f:
                if line.startswith(" ") or "|" not in line:
                    continue
                fields, gloss = line.split("|", 1)
                offset, lexfile = fields.split()[:2]
                synsets.append((LEXNAMES[int(lexfile)], clean(gloss), pos + offset))
    synsets.sort(key=lambda s: hashlib.md5(s[2].encode()).hexdigest())
    sample = synsets[:SAMPLE]
    counts = {}
    for lab, _, _ in sample:
        counts[lab] = counts.get(lab, 0) + 1
    examples = [s for s in sample if counts[s[0]] >= MIN_PER_CLASS]
    write_labeled("wordnet-glosses", examples,
                  {"debian": "wordnet-base " + apt_version("wordnet-base"), "licence": "WordNet 3.0 licence"})


if __name__ == "__main__":
    main()
