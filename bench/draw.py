"""Draw benchmark: a 双随机 draw over 5,000 enterprises in 4 strata with 40 officers.

Builds a pool document as a freeze would (5,000 committed entries in 4 strata by credit class,
40 officers, 回避 exclusions for one enterprise in ten), then measures, each the median of 7
runs:
- hashing the pool (the hash published before the draw);
- the draw itself: seed, the strata's Fisher–Yates shuffles and two officers and an expert for
  each of the drawn enterprises (target < 1 s);
- verifying the published record as `verify_draw.py` does (hash, seed, the whole draw again);
beside a baseline measured in the same run: the unseeded way systems draw today,
`random.shuffle` of each stratum and `random.sample` of the officers, which nobody can verify.

Run with `make bench` or `.venv/bin/python bench/draw.py`.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from inspection.draws.verify_draw import derive_seed  # noqa: E402
from inspection.draws.verify_draw import draw  # noqa: E402
from inspection.draws.verify_draw import entry_digest  # noqa: E402
from inspection.draws.verify_draw import nonce_digest  # noqa: E402
from inspection.draws.verify_draw import pool_hash  # noqa: E402
from inspection.draws.verify_draw import verify  # noqa: E402

ENTERPRISES = 5000
OFFICERS = 40
STRATA = {"A": ("ratio", "3"), "B": ("ratio", "5"), "C": ("ratio", "20"), "D": ("ratio", "100")}
SHARES = {"A": 0.55, "B": 0.30, "C": 0.12, "D": 0.03}
RUNS = 7
TARGET_SECONDS = 1.0


def make_pool() -> dict:
    """A pool as a freeze writes it, with fixed contents."""
    rng = random.Random(20261203)
    entries = {key: [] for key in STRATA}
    exclusions = []
    officers = [{"certificate": f"3301{n:06d}", "name": f"执法员{n}"} for n in range(OFFICERS)]
    for n in range(ENTERPRISES):
        key = rng.choices(list(SHARES), weights=list(SHARES.values()))[0]
        digest = entry_digest(f"91330100MA{n:08d}", f"{rng.getrandbits(128):032x}")
        entries[key].append(digest)
        if n % 10 == 0:
            exclusions.append(
                {
                    "entry": digest,
                    "certificate": rng.choice(officers)["certificate"],
                    "reason": "conflict_declared",
                }
            )
    return {
        "algorithm": "sjsy-draw/1",
        "task": {"id": 1, "name": "bench", "park": "bench", "year": 2026},
        "inspectors_per_enterprise": 2,
        "with_expert": True,
        "yearly_caps": {"red": 12, "orange": 8, "yellow": 4, "blue": 2},
        "left_out": {"yearly_cap_reached": 37},
        "strata": [
            {"key": key, "quota": {kind: value}, "entries": entries[key]}
            for key, (kind, value) in STRATA.items()
        ],
        "officers": officers,
        "experts": [{"certificate": f"ZJ{n:04d}", "name": f"专家{n}"} for n in range(8)],
        "exclusions": exclusions,
        "public_value": {"source": "上证指数收盘点位", "date": "2026-12-10"},
        "witnesses": [{"name": "见证人", "role": "纪检", "nonce_sha256": nonce_digest("n-1")}],
    }


def median_seconds(work) -> tuple[float, object]:
    """The median wall time of `work` over RUNS runs, and its last result."""
    times, result = [], None
    for _ in range(RUNS):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def baseline(pool: dict) -> None:
    """The unverifiable draw: an unseeded shuffle of each stratum, a sample of officers."""
    rng = random.Random()
    certificates = [o["certificate"] for o in pool["officers"]]
    for stratum in pool["strata"]:
        entries = list(stratum["entries"])
        rng.shuffle(entries)
        share = float(stratum["quota"]["ratio"]) / 100
        for _entry in entries[: -(-int(share * 1000 * len(entries)) // 1000)]:
            rng.sample(certificates, 2)


def main() -> int:
    pool = make_pool()
    base, _ = median_seconds(lambda: baseline(pool))
    hashing, digest = median_seconds(lambda: pool_hash(pool))

    def run():
        seed = derive_seed(digest, "3342.15", ["n-1"])
        return seed, draw(pool, seed)

    drawing, (seed, result) = median_seconds(run)
    record = {
        "pool": pool,
        "pool_sha256": digest,
        "seed": seed,
        "result": result,
        "seed_inputs": {"public_value": "3342.15", "nonces": ["n-1"]},
    }
    checking, problems = median_seconds(lambda: verify(record))
    drawn = sum(len(s["drawn"]) for s in result["strata"])
    print(
        f"pool: {ENTERPRISES} enterprises in {len(STRATA)} strata, {OFFICERS} officers;"
        f" {drawn} enterprises drawn, each with 2 officers and an expert"
    )
    print(f"baseline (unseeded random.shuffle + sample): {base * 1000:.1f} ms")
    for label, seconds in (
        ("hash the pool", hashing),
        ("draw", drawing),
        ("verify the record", checking),
    ):
        print(f"{label}: {seconds * 1000:.1f} ms = {seconds / base:.1f}× baseline")
    print(
        f"draw target: < {TARGET_SECONDS:.0f} s: {'met' if drawing < TARGET_SECONDS else 'MISSED'}"
        f" ({drawing / TARGET_SECONDS:.1%} of the budget)"
    )
    if problems:
        print("verification found differences:", problems[:3])
        return 1
    return 0 if drawing < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
