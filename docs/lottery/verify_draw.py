#!/usr/bin/env python3
"""Recompute a Fieldpost lottery draw from what was published, with Python's standard library.

Anyone holding the published entrant list, the public random value announced before the draw
and the published pools can check the winners:

    python3 verify_draw.py --list entrants.csv --digest HEX --value "…" --pools pools.json

It first checks that the list is the one published (its SHA-256 equals DIGEST: a list edited
after publication is reported as tampered), then prints each pool's winners and reserves by
entry number. `--vectors vectors.json` checks every test vector instead (what `cargo xtask
test` runs, against the same vectors the Rust implementation must reproduce).

The method (docs/lottery/README.md):
  list digest  = SHA-256 of the published list's bytes (UTF-8 CSV, LF line ends):
                 "entry,phone,carrier\n" then "N,138****1234,mobile\n" per entry, in entry order
  key(pool p, entry e) = SHA-256 of the UTF-8 text
                 "fieldpost-draw-1\n" + list digest (lower-case hex) + "\n" + public value
                 + "\n" + p (1-based, decimal) + "\n" + e (decimal)
  Pools are drawn in their published order. For each pool, the entries whose carrier the pool
  accepts and that have not won in an earlier pool are ranked by key (as a 256-bit big-endian
  number, smallest first); the first QUANTITY are its winners, the next RESERVES its ranked
  reserves. One prize per entry, and one entry per phone number.
"""

import argparse
import hashlib
import json
import sys

HEADER = "entry,phone,carrier"
CARRIERS = ("telecom", "mobile", "unicom", "other")


def list_text(entries):
    """The published list's text for entries [(entry, masked_phone, carrier), ...]."""
    lines = [HEADER] + ["%d,%s,%s" % e for e in entries]
    return "\n".join(lines) + "\n"


def parse_list(text):
    """The entries of a published list's text; raises ValueError naming the line."""
    lines = text.split("\n")
    if lines[0] != HEADER:
        raise ValueError("line 1: expected the header %r" % HEADER)
    if lines[-1] != "":
        raise ValueError("the list must end with a line feed")
    entries = []
    for n, line in enumerate(lines[1:-1], start=2):
        parts = line.split(",")
        if len(parts) != 3:
            raise ValueError("line %d: expected entry,phone,carrier" % n)
        entry, phone, carrier = parts
        if entry != str(len(entries) + 1):
            raise ValueError("line %d: entries are numbered 1, 2, 3 … in order" % n)
        if carrier not in CARRIERS:
            raise ValueError("line %d: unknown carrier %r" % (n, carrier))
        entries.append((int(entry), phone, carrier))
    return entries


def digest(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def draw(entries, list_digest, value, pools):
    """Each pool's (winners, reserves), as lists of entry numbers."""
    value = value.strip()
    if not value:
        raise ValueError("the public value is empty")
    won = set()
    results = []
    for p, pool in enumerate(pools, start=1):
        accepted = set(pool["carriers"])
        eligible = [e for (e, _phone, carrier) in entries if carrier in accepted and e not in won]

        def key(e):
            text = "fieldpost-draw-1\n%s\n%s\n%d\n%d" % (list_digest, value, p, e)
            return (hashlib.sha256(text.encode("utf-8")).digest(), e)

        ranked = sorted(eligible, key=key)
        winners = ranked[: pool["quantity"]]
        reserves = ranked[pool["quantity"] : pool["quantity"] + pool["reserves"]]
        won.update(winners)
        results.append({"name": pool["name"], "winners": winners, "reserves": reserves})
    return results


def check_vectors(path):
    with open(path, encoding="utf-8") as f:
        vectors = json.load(f)
    failed = 0
    for v in vectors["vectors"]:
        text = list_text([tuple(e) for e in v["list"]])
        got_digest = digest(text)
        tampered = got_digest != v["published_digest"]
        ok = tampered == v["expect"]["tampered"]
        if not tampered:
            got = draw(parse_list(text), got_digest, v["public_value"], v["pools"])
            ok = ok and got == v["expect"]["pools"]
        print("%s %s" % ("ok  " if ok else "FAIL", v["name"]))
        failed += not ok
    print("verify_draw vectors: %d passed, %d failed" % (len(vectors["vectors"]) - failed, failed))
    return failed == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vectors", help="check every vector of this file")
    ap.add_argument("--list", help="the published entrant list (CSV)")
    ap.add_argument("--digest", help="the published SHA-256 of the list")
    ap.add_argument("--value", help="the public random value announced before the draw")
    ap.add_argument("--pools", help="the published pools (JSON), in draw order")
    args = ap.parse_args()
    if args.vectors:
        return 0 if check_vectors(args.vectors) else 1
    if not (args.list and args.digest and args.value and args.pools):
        ap.error("give --vectors, or all of --list, --digest, --value and --pools")
    with open(args.list, "rb") as f:
        text = f.read().decode("utf-8")
    got = digest(text)
    if got != args.digest.strip().lower():
        print("TAMPERED: the list's SHA-256 is %s, not the published %s" % (got, args.digest))
        return 2
    with open(args.pools, encoding="utf-8") as f:
        pools = json.load(f)
    for result in draw(parse_list(text), got, args.value, pools):
        print("%s: winners %s; reserves %s" % (result["name"], result["winners"], result["reserves"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
