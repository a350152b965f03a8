#!/usr/bin/env python3
"""双随机 draw: the algorithm, and a verifier anyone can run on a published draw record.

This one file is the whole algorithm. The application draws with it, and the public page offers
it for download, so what runs the draw and what checks it are the same lines. It uses the
Python standard library only (Python 3.10 or later):

    python3 verify_draw.py draw-record.json

prints "一致" (consistent) and exits 0 when the record's pool hash, seed and result are what the
algorithm gives, or names every place where they differ and exits 1. The algorithm is written
up in docs/draw-algorithm.md, with test vectors.
"""

from __future__ import annotations

import hashlib
import json
import sys
from fractions import Fraction

ALGORITHM = "sjsy-draw/1"


class DrawError(ValueError):
    """The pool cannot be drawn as it stands (too few officers for an enterprise, a bad quota)."""


def canonical(document: object) -> bytes:
    """The canonical bytes of a JSON document: sorted keys, no spaces, UTF-8."""
    return json.dumps(
        document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of `data`, as 64 lowercase hex digits."""
    return hashlib.sha256(data).hexdigest()


def pool_hash(pool: dict) -> str:
    """The hash published before the draw: SHA-256 of the pool document's canonical bytes."""
    return sha256_hex(canonical(pool))


def entry_digest(credit_code: str, opening: str) -> str:
    """An enterprise's entry in the published pool: it commits to the enterprise without naming
    it, so the pool of those not drawn stays private; a drawn one is opened with `opening`."""
    return sha256_hex(f"{ALGORITHM}|entry|{credit_code}|{opening}".encode())


def nonce_digest(nonce: str) -> str:
    """A witness's nonce as committed in the pool document."""
    return sha256_hex(f"{ALGORITHM}|nonce|{nonce}".encode())


def _part(text: str) -> bytes:
    data = text.encode("utf-8")
    return len(data).to_bytes(4, "big") + data


def derive_seed(pool_sha256: str, public_value: str, nonces: list[str]) -> str:
    """seed = SHA-256(pool hash ‖ public value ‖ nonce 1 ‖ nonce 2 …), each part prefixed with
    its length in bytes (4 bytes, big-endian) so that no two inputs give the same bytes."""
    data = _part(pool_sha256) + _part(public_value) + b"".join(_part(n) for n in nonces)
    return sha256_hex(data)


class Stream:
    """A deterministic random stream: SHA-256(seed ‖ label ‖ counter) blocks, counter from 0 as
    8 bytes big-endian; each block gives four 64-bit numbers."""

    def __init__(self, seed: str, label: str) -> None:
        self._prefix = bytes.fromhex(seed) + _part(label)
        self._counter = 0
        self._words: list[int] = []

    def _next_word(self) -> int:
        if not self._words:
            block = hashlib.sha256(self._prefix + self._counter.to_bytes(8, "big")).digest()
            self._counter += 1
            self._words = [int.from_bytes(block[i : i + 8], "big") for i in (24, 16, 8, 0)]
        return self._words.pop()

    def below(self, n: int) -> int:
        """An unbiased number in [0, n): 64-bit words at or above the largest multiple of n are
        rejected and the next one is taken."""
        if n < 1:
            raise DrawError("below(n) needs n >= 1")
        limit = (1 << 64) - (1 << 64) % n
        while True:
            word = self._next_word()
            if word < limit:
                return word % n


def take(seed: str, label: str, size: int, k: int) -> list[int]:
    """The first k positions of a forward Fisher–Yates shuffle of range(size): for i = 0 … k-1,
    swap place i with place i + below(size - i). Positions past k need not be shuffled."""
    stream = Stream(seed, label)
    places = list(range(size))
    for i in range(min(k, size)):
        j = i + stream.below(size - i)
        places[i], places[j] = places[j], places[i]
    return places[: min(k, size)]


def _ceil(value: Fraction) -> int:
    return -(-value.numerator // value.denominator)


def draw(pool: dict, seed: str) -> dict:
    """The result of a draw: per stratum the drawn entries in draw order, each with its team."""
    officers = sorted(pool["officers"], key=lambda o: o["certificate"])
    experts = sorted(pool.get("experts", []), key=lambda o: o["certificate"])
    excluded: dict[str, set[str]] = {}
    for exclusion in pool.get("exclusions", []):
        excluded.setdefault(exclusion["entry"], set()).add(exclusion["certificate"])
    team_size = int(pool["inspectors_per_enterprise"])
    strata = []
    for stratum in pool["strata"]:
        entries = stratum["entries"]
        size = len(entries)
        k = _quota(stratum["quota"], size)
        drawn = []
        for position in take(seed, f"enterprises/{stratum['key']}", size, k):
            entry = entries[position]
            out = excluded.get(entry, set())
            eligible = [o for o in officers if o["certificate"] not in out]
            if len(eligible) < team_size:
                raise DrawError(
                    f"stratum {stratum['key']}, entry {entry}: {len(eligible)} eligible officers,"
                    f" {team_size} needed"
                )
            chosen = take(seed, f"officers/{entry}", len(eligible), team_size)
            team = [eligible[i]["certificate"] for i in chosen]
            expert = None
            if pool.get("with_expert"):
                free = [e for e in experts if e["certificate"] not in out]
                if not free:
                    raise DrawError(f"stratum {stratum['key']}, entry {entry}: no eligible expert")
                expert = free[take(seed, f"experts/{entry}", len(free), 1)[0]]["certificate"]
            drawn.append({"position": position, "entry": entry, "team": team, "expert": expert})
        strata.append({"key": stratum["key"], "size": size, "quota": k, "drawn": drawn})
    return {"algorithm": ALGORITHM, "strata": strata}


def _quota(spec: dict, size: int) -> int:
    if "count" in spec:
        count = int(spec["count"])
        if count < 0:
            raise DrawError("a count cannot be negative")
        return min(count, size)
    share = Fraction(str(spec["ratio"])) / 100
    if not 0 <= share <= 1:
        raise DrawError("a ratio is a percentage from 0 to 100")
    return min(size, _ceil(share * size))


def verify(record: dict) -> list[str]:
    """Every difference between a published draw record and what the algorithm gives; an empty
    list means the record is consistent."""
    problems: list[str] = []
    pool = record.get("pool")
    if not isinstance(pool, dict):
        return ["记录中没有抽取池文件 (the record holds no pool document)"]
    if pool.get("algorithm") != ALGORITHM:
        problems.append(
            f"算法版本 {pool.get('algorithm')!r} 不是本程序的 {ALGORITHM!r} (algorithm version)"
        )
        return problems
    recomputed = pool_hash(pool)
    if recomputed != record.get("pool_sha256"):
        problems.append(
            "抽取池哈希不一致 (pool hash differs): 公布值 published"
            f" {record.get('pool_sha256')}, 重算 recomputed {recomputed}"
        )
    seed_inputs = record.get("seed_inputs") or {}
    witnesses = pool.get("witnesses", [])
    nonces = list(seed_inputs.get("nonces") or [])
    if len(nonces) != len(witnesses):
        problems.append(
            f"见证人随机数个数不一致 (nonce count): 池中 {len(witnesses)} 人, 记录 {len(nonces)} 个"
        )
    for index, (witness, nonce) in enumerate(zip(witnesses, nonces, strict=False), start=1):
        if nonce_digest(nonce) != witness.get("nonce_sha256"):
            problems.append(
                f"见证人 {index}（{witness.get('name')}）的随机数与事先承诺的哈希不符"
                " (a witness nonce does not match its commitment)"
            )
    seed = derive_seed(
        record.get("pool_sha256", ""), str(seed_inputs.get("public_value", "")), nonces
    )
    if seed != record.get("seed"):
        problems.append(
            f"种子不一致 (seed differs): 记录 recorded {record.get('seed')}, 重算 recomputed {seed}"
        )
    try:
        expected = draw(pool, seed)
    except (DrawError, KeyError, TypeError, ValueError) as error:
        problems.append(f"无法按抽取池重算 (the pool cannot be drawn): {error}")
        return problems
    problems.extend(_result_differences(expected, record.get("result") or {}))
    problems.extend(_openings(record.get("result") or {}))
    return problems


def _result_differences(expected: dict, recorded: dict) -> list[str]:
    problems = []
    got = {s.get("key"): s for s in recorded.get("strata", [])}
    for stratum in expected["strata"]:
        key = stratum["key"]
        mine = got.pop(key, None)
        if mine is None:
            problems.append(f"分层 {key}: 记录中缺失 (stratum missing from the record)")
            continue
        if mine.get("quota") != stratum["quota"]:
            problems.append(
                f"分层 {key}: 抽取数 记录 {mine.get('quota')}, 重算 {stratum['quota']} (quota)"
            )
        theirs = mine.get("drawn", [])
        for place in range(max(len(theirs), len(stratum["drawn"]))):
            want = stratum["drawn"][place] if place < len(stratum["drawn"]) else None
            have = theirs[place] if place < len(theirs) else None
            problems.extend(_place_differences(key, place + 1, want, have))
    for key in got:
        problems.append(f"分层 {key}: 记录中多出 (stratum not in the pool)")
    return problems


def _place_differences(key: str, place: int, want: dict | None, have: dict | None) -> list[str]:
    where = f"分层 {key} 第 {place} 位"
    if want is None or have is None:
        return [f"{where}: 记录 {_entry(have)}, 重算 {_entry(want)}"]
    problems = []
    if want["entry"] != have.get("entry"):
        problems.append(
            f"{where}: 企业 记录 {_entry(have)}, 重算 {_entry(want)} (enterprise differs)"
        )
    if want["team"] != have.get("team"):
        problems.append(
            f"{where}: 检查人员 记录 {have.get('team')}, 重算 {want['team']} (officers differ)"
        )
    if want["expert"] != have.get("expert"):
        problems.append(
            f"{where}: 专家 记录 {have.get('expert')}, 重算 {want['expert']} (expert differs)"
        )
    return problems


def _entry(place: dict | None) -> str:
    if place is None:
        return "（无）"
    name = place.get("name")
    return f"{name}（{place.get('entry')}）" if name else str(place.get("entry"))


def _openings(result: dict) -> list[str]:
    """Each drawn enterprise named in the record opens its entry in the pool."""
    problems = []
    for stratum in result.get("strata", []):
        for place, drawn in enumerate(stratum.get("drawn", []), start=1):
            code, opening = drawn.get("credit_code"), drawn.get("opening")
            if code is None:
                continue
            if entry_digest(code, str(opening)) != drawn.get("entry"):
                problems.append(
                    f"分层 {stratum.get('key')} 第 {place} 位: 企业 {drawn.get('name')}（{code}）"
                    " 与池中条目不符 (the named enterprise does not open its pool entry)"
                )
    return problems


def main(argv: list[str]) -> int:
    """Verify the draw record named on the command line (or read from standard input)."""
    if len(argv) > 2 or (len(argv) == 2 and argv[1] in ("-h", "--help")):
        print(__doc__)
        return 2
    if len(argv) == 2:
        with open(argv[1], encoding="utf-8") as handle:
            record = json.load(handle)
    else:
        record = json.load(sys.stdin)
    problems = verify(record)
    if not problems:
        print(f"一致 (consistent): {record.get('task', {}).get('name', '')} {record['seed']}")
        return 0
    print("不一致 (inconsistent):")
    for problem in problems:
        print(f"- {problem}")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
