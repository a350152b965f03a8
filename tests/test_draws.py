"""双随机、一公开: the draw protocol, its refusals, adjustments, results and the public page."""

from __future__ import annotations

from inspection.draws.verify_draw import Stream
from inspection.draws.verify_draw import derive_seed
from inspection.draws.verify_draw import draw
from inspection.draws.verify_draw import entry_digest
from inspection.draws.verify_draw import nonce_digest
from inspection.draws.verify_draw import pool_hash
from inspection.draws.verify_draw import take

VERIFIER = "inspection/draws/verify_draw.py"

# ---------------------------------------------------------------- known answers (the docs' vectors)

KNOWN_POOL = {
    "algorithm": "sjsy-draw/1",
    "task": {"id": 1, "name": "测试抽查", "park": "测试园区", "year": 2026},
    "inspectors_per_enterprise": 2,
    "with_expert": True,
    "strata": [
        {
            "key": "A",
            "quota": {"ratio": "50"},
            "entries": [entry_digest(f"91330100MA0000000{i}", f"o{i}") for i in range(4)],
        },
        {
            "key": "C",
            "quota": {"count": 1},
            "entries": [entry_digest(f"91330100MA0000001{i}", f"o{i}") for i in range(3)],
        },
    ],
    "officers": [{"certificate": f"C{i}", "name": f"officer {i}"} for i in range(5)],
    "experts": [{"certificate": f"X{i}", "name": f"expert {i}"} for i in range(2)],
    "exclusions": [
        {"entry": entry_digest("91330100MA00000002", "o2"), "certificate": "C0", "reason": "x"}
    ],
    "public_value": {"source": "上证指数收盘点位", "date": "2026-12-10"},
    "witnesses": [{"name": "王", "role": "纪检", "nonce_sha256": nonce_digest("river-7731")}],
}
KNOWN_INPUTS = ("3342.15", ["river-7731"])


def test_known_answers_fix_the_algorithm():
    """A given pool document and seed inputs give exactly these enterprises and officers."""
    digest = pool_hash(KNOWN_POOL)
    seed = derive_seed(digest, KNOWN_INPUTS[0], KNOWN_INPUTS[1])
    result = draw(KNOWN_POOL, seed)
    picked = {
        s["key"]: [
            (KNOWN_POOL["strata"][i]["entries"].index(d["entry"]), d["team"], d["expert"])
            for d in s["drawn"]
        ]
        for i, s in enumerate(result["strata"])
    }
    assert (digest, seed, picked) == KNOWN_ANSWER


KNOWN_ANSWER = (
    "a9e336ea21258c9b1c7b37f49b2867f3f97978e115d33fda802bd2cb0e4ca2c2",
    "4a3fa382f9ff8894c5d8b1f420c60acea5cd5cc34c96fa696279186101229589",
    {
        # (place in the stratum's canonical order, officers with the leader first, expert)
        "A": [(2, ["C3", "C1"], "X1"), (0, ["C1", "C2"], "X1")],
        "C": [(2, ["C4", "C0"], "X1")],
    },
)


def test_the_stream_and_the_shuffle_have_fixed_vectors():
    stream = Stream("00" * 32, "test")
    assert [stream.below(10) for _ in range(8)] == STREAM_VECTOR
    assert take("00" * 32, "enterprises/all", 10, 3) == TAKE_VECTOR


STREAM_VECTOR = [7, 0, 4, 2, 6, 4, 7, 4]
TAKE_VECTOR = [6, 3, 9]


def test_numbers_below_n_are_unbiased_by_rejection():
    """A 64-bit word at or above the largest multiple of n is thrown away, never folded."""
    stream = Stream("11" * 32, "bias")
    n = (1 << 63) + 1  # about half of all words must be rejected
    values = [stream.below(n) for _ in range(200)]
    assert all(0 <= v < n for v in values)
    counts = [0, 0, 0]
    stream = Stream("22" * 32, "three")
    for _ in range(3000):
        counts[stream.below(3)] += 1
    assert all(900 < c < 1100 for c in counts)


def test_the_seed_inputs_cannot_run_together():
    """Length prefixes: moving a character from one input to the next changes the seed."""
    assert derive_seed("ab", "12", ["3"]) != derive_seed("ab", "1", ["23"])
