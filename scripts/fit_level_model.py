"""Refit the ladder-level model from the committed reference set and print its cross-validated accuracy.

    python scripts/fit_level_model.py            # refit, print CV figures, write rubrics/level_model.json
    python scripts/fit_level_model.py --check    # refit at the shipped C, compare with the shipped model (exit 1 if it differs)

The reference set (rubrics/level_reference.csv) is hand-written and synthetic: one row per
imagined candidate, written from the ladder definitions (shared/reference/ladders.md) and typical
résumés, never from the evaluation corpus. Each row goes through the same title normalisation
and feature function as a real profile (pipeline/profile_to_level.py). The model is a
multinomial logistic regression on standardised features; C is chosen by cross-validation on the
reference set alone. The shipped model is these coefficients as data; nothing is refitted at run
time or on a batch.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.profile_to_level import (  # noqa: E402
    FEATURES,
    LevelSignals,
    load_signal_vocabulary,
    read_title,
    signals_to_features,
    title_entry,
)
from pipeline.rubric import RUBRICS_DIR, load_rubric  # noqa: E402

REFERENCE = RUBRICS_DIR / "level_reference.csv"
SCOPES = {"": 0, "feature": 0, "team": 1, "teams": 2, "portfolio": 3, "function": 4}
HORIZONS = {"": 0, "sprints": 0, "quarters": 1, "year": 2, "multiyear": 3}
C_GRID = (0.1, 0.3, 1.0, 3.0, 10.0)


def row_to_signals(row: dict, vocab, levels) -> LevelSignals:
    org = row["org_size"].strip()
    people = int(row["people_led"] or 0)
    context = f"{org} employees" if org else ""
    title = read_title(row["title"], vocab, context, people) if row["title"].strip() else None
    total = float(row["total_years"])
    return LevelSignals(
        total_years=total,
        product_years=float(row["product_years"]),
        title=title,
        title_rank=title_entry(title, total, levels)[0] if title else 0,
        title_years=float(row["title_years"] or 0),
        scope=SCOPES[row["scope"].strip()],
        people_led=people,
        pms_led=int(row["pms_led"] or 0),
        horizon=HORIZONS[row["horizon"].strip()],
        budget=row["budget"].strip() == "1",
        student=row["student"].strip() == "1",
    )


def load_reference(path: Path = REFERENCE):
    rubric = load_rubric()
    vocab = load_signal_vocabulary(str(RUBRICS_DIR / rubric.model.ladder.signals_file))
    order = [lv.id for lv in rubric.model.ladder.levels]
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    levels = rubric.model.ladder.levels
    X = np.array([signals_to_features(row_to_signals(r, vocab, levels)) for r in rows], dtype=float)
    y = np.array([order.index(r["level"]) for r in rows])
    return X, y, order, rows


def make_model(c: float):
    return make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=5000))


def cross_validated(X, y, c: float):
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    pred = cross_val_predict(make_model(c), X, y, cv=folds)
    return float(np.mean(pred == y)), float(np.mean(np.abs(pred - y) <= 1)), pred


def choose_c(X, y):
    scores = {c: cross_validated(X, y, c) for c in C_GRID}
    # The strongest regularisation whose accuracy is within 3 points of the best: on a small
    # hand-written set, small gains from a weaker penalty are noise and cost calibration.
    top = max(s[0] for s in scores.values())
    return min(c for c in C_GRID if scores[c][0] >= top - 0.03), scores


def fit(X, y, order, best_c: float, scores: dict):
    model = make_model(best_c).fit(X, y)
    scaler, lr = model[0], model[1]
    coef = np.zeros((len(order), X.shape[1]))
    intercept = np.full(len(order), -50.0)
    for k, cls in enumerate(lr.classes_):
        coef[cls], intercept[cls] = lr.coef_[k], lr.intercept_[k]
    data = {
        "about": "Ladder-level model: multinomial logistic regression on standardised features. "
        "Written by scripts/fit_level_model.py from rubrics/level_reference.csv; do not edit by hand.",
        "classes": order,
        "features": list(FEATURES),
        "C": best_c,
        "mean": [round(float(v), 6) for v in scaler.mean_],
        "scale": [round(float(v), 6) for v in scaler.scale_],
        "coef": [[round(float(v), 6) for v in row] for row in coef],
        "intercept": [round(float(v), 6) for v in intercept],
        "reference_rows": int(len(y)),
    }
    if best_c in scores:
        data["cv_accuracy"] = round(scores[best_c][0], 4)
        data["cv_within_one"] = round(scores[best_c][1], 4)
    return data


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare a refit with the shipped model")
    ap.add_argument("--out", default=str(RUBRICS_DIR / "level_model.json"))
    args = ap.parse_args(argv)
    X, y, order, _ = load_reference()
    out = Path(args.out)
    if args.check:  # refit at the shipped C (the cross-validation that chose it is not repeated)
        shipped = json.loads(out.read_text(encoding="utf-8"))
        data = fit(X, y, order, shipped["C"], {})
        same = all(
            np.allclose(np.array(shipped[k]), np.array(data[k]), atol=1e-4)
            for k in ("mean", "scale", "coef", "intercept")
        ) and shipped["classes"] == data["classes"] and shipped["features"] == data["features"]
        print("shipped model matches a refit" if same else f"shipped model {out} differs from a refit: run {Path(__file__).name}")
        return 0 if same else 1
    best_c, scores = choose_c(X, y)
    data = fit(X, y, order, best_c, scores)
    print(f"reference rows: {len(y)}  ({', '.join(f'{o}={int(np.sum(y == i))}' for i, o in enumerate(order))})")
    print("5-fold stratified cross-validation (reference set only):")
    for c in C_GRID:
        mark = "  <- shipped" if c == best_c else ""
        print(f"  C={c:<5}  exact {scores[c][0]:.1%}  within one level {scores[c][1]:.1%}{mark}")
    pred = scores[best_c][2]
    print("confusion (rows: reference level, columns: cross-validated prediction)")
    print("             " + " ".join(f"{o[:9]:>9}" for o in order))
    for i, o in enumerate(order):
        print(f"  {o:<10} " + " ".join(f"{int(np.sum((y == i) & (pred == j))):>9}" for j in range(len(order))))
    out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
