"""How long `score` takes for 10,000 opportunities (requirement: under 2 s on this machine).

    python bench/score.py [--opportunities 10000]

Against a ledger with 2,000 decisions of history over 3 sources × 4 types. Timed: reading
the metrics, predicting, scoring and sorting, and recording one OpportunityScored each; then
the same with --no-record; baseline, same run: json.loads + json.dumps of the same array.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import machine, report, timed
from ledger import Ledger
from ledger.present.encoding import jsonable

SOURCES = ("twitter", "email", "revenue_dashboard")
TYPES = ("golf_coaching", "partnership", "consulting", "feedback")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opportunities", type=int, default=10_000)
    args = parser.parse_args()
    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as tmp:
        led = Ledger.open(Path(tmp) / "s.db")
        lines = []
        for i in range(2000):
            lines.append(
                {
                    "command": "decision",
                    "decision_id": f"d{i}",
                    "type": rng.choice(TYPES),
                    "source": rng.choice(SOURCES),
                    "action": "replied",
                    "decided_at": "2026-01-01T10:00:00Z",
                }
            )
            if rng.random() < 0.4:
                lines.append(
                    {
                        "command": "outcome",
                        "decision_id": f"d{i}",
                        "outcome_type": "conversion",
                        "status": "success",
                        "revenue": rng.randint(50, 900),
                        "customer_acquired": True,
                        "occurred_at": "2026-01-03T10:00:00Z",
                    }
                )
        from ledger.app.batch import parse_line

        led.execute_batch((n, parse_line(n, json.dumps(x))) for n, x in enumerate(lines, 1))
        opportunities = [
            {
                "id": f"o{i}",
                "type": rng.choice(TYPES),
                "source": rng.choice(SOURCES),
                "score": rng.randint(0, 100),
                "content": "…",
                "sender": f"@{i}",
            }
            for i in range(args.opportunities)
        ]
        text = json.dumps(opportunities)
        recorded, _ = timed(lambda: led.score_opportunities(json.loads(text)))
        dry, scored = timed(lambda: led.score_opportunities(json.loads(text), record=False))
        baseline, _ = timed(lambda: json.dumps(json.loads(text)))
        encode, _ = timed(lambda: json.dumps(jsonable(scored)))
        led.close()
    n = args.opportunities
    print(f"# {machine()}; {n:,} opportunities, 2,000 decisions of history")
    report(
        f"score {n:,} opportunities",
        [
            ("score, recording predictions", f"{recorded:.2f} s", "requirement: < 2 s"),
            ("score --no-record", f"{dry:.2f} s", ""),
            ("writing the scored file (JSON)", f"{encode:.2f} s", ""),
            ("baseline: json load + dump", f"{baseline:.3f} s", "same array"),
        ],
    )


if __name__ == "__main__":
    main()
