"""Microbenchmark of guanxi.core.normalize: µs per call over realistic generated inputs.

    python bench/bench_normalize.py [-n 200000]

Prints one line per function, ``<name>_us=<µs per call>``, measured after a warm-up pass
(which fills the per-character pinyin cache, as a long import does after its first rows).
Inputs come from bench/gen_contacts_csv.py's generator (same seed), so they have the mix of
shapes a real import has. ``normalize_phone_fast_us`` times only inputs that take the fast
path; ``normalize_phone_us`` the whole mix (including foreign and invalid numbers).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_contacts_csv import contacts

from guanxi.core import normalize as nz


def per_call_us(fn: Callable[[str], object], inputs: Sequence[str], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for s in inputs:
            fn(s)
        best = min(best, time.perf_counter() - t0)
    return best / len(inputs) * 1e6


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-n", type=int, default=200_000, help="number of generated contacts (default 200000)")
    args = p.parse_args(argv)
    rows = list(contacts(args.n, seed=7))
    names = [r[0] for r in rows]
    cn_names3 = [n for n in names if len(n) == 3 and not n.isascii()]
    companies = [r[2] for r in rows]
    emails = [r[3] for r in rows]
    phones = [r[4] for r in rows] + [r[5] for r in rows]
    fast_phones = [s for s in phones if nz._fast_cn(s.strip()) is not None]
    websites = [f"https://www.{e.split('@')[-1]}/about" for e in emails]

    for fn, data in [(nz.pinyin_keys, names), (nz.normalize_phone, phones)]:  # warm-up
        for s in data:
            fn(s)

    results = {
        "fold_width": per_call_us(nz.fold_width, companies),
        "normalize_email": per_call_us(nz.normalize_email, emails),
        "is_plausible_email": per_call_us(nz.is_plausible_email, [nz.normalize_email(e) for e in emails]),
        "normalize_phone": per_call_us(nz.normalize_phone, phones),
        "normalize_phone_fast": per_call_us(nz.normalize_phone, fast_phones),
        "pinyin_keys": per_call_us(nz.pinyin_keys, names),
        "pinyin_keys_3char": per_call_us(nz.pinyin_keys, cn_names3),
        "company_name_key": per_call_us(nz.company_name_key, companies),
        "domain_from": per_call_us(nz.domain_from, websites),
        "domain_from_email": per_call_us(nz.domain_from, emails),
        "split_chinese_name": per_call_us(nz.split_chinese_name, names),
    }
    for name, us in results.items():
        print(f"{name}_us={us:.2f}")
    print(f"# inputs: {len(names)} names ({len(cn_names3)} 3-character), {len(phones)} phones "
          f"({len(fast_phones) / len(phones):.0%} on the fast path)")  # fmt: skip


if __name__ == "__main__":
    main()
