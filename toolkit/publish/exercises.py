"""Checks for the notebooks' exercises: a helpful message, never the solution.

``exercises.exercise_N_K(answer)`` checks exercise K of notebook N. Each check computes the
expected answer with the toolkit itself (so it stays true if the data are regenerated),
prints what is right or a hint at the step that went wrong, and returns ``True`` or ``False``.

>>> from toolkit.publish import exercises
>>> exercises.exercise_0_2((9, 5))
Right: 9 viewers commented and 5 sent a gift.
True
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

__all__ = [
    "exercise_0_1", "exercise_0_2", "exercise_1_1", "exercise_1_3", "exercise_2_1",
    "exercise_2_2", "exercise_2_3", "exercise_3_3",
]


def _say(ok: bool, message: str) -> bool:
    print(message)
    return ok


def _pair(answer: object, what: str) -> tuple[object, object] | None:
    if isinstance(answer, (tuple, list)) and len(answer) == 2:
        return answer[0], answer[1]
    print(f"Give two things, as a pair: {what}, for example ('u01', 10).")
    return None


def _shares(answer: object) -> list[object]:
    """A share given as a fraction (0.47) or as a percentage (47): both readings."""
    return [answer, answer / 100] if isinstance(answer, (int, float)) else [answer]


def _close(value: object, expected: float, tolerance: float) -> bool:
    try:
        return math.isclose(float(value), expected, abs_tol=tolerance)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def exercise_0_1(answer: object) -> bool:
    """Notebook 00, exercise 1: ``(user_id, hearts)`` of the viewer who sent the most hearts."""
    from toolkit.events.reading import example_session

    pair = _pair(answer, "(user_id, hearts)")
    if pair is None:
        return False
    per_viewer = (example_session().filter(kind="heart").group_by("user_id")
                  .agg(hearts=pl.col("count").sum(), batches=pl.len())
                  .sort("hearts", descending=True))
    top, hearts, batches = per_viewer.row(0)
    user, count = pair
    if user == top and count == hearts:
        return _say(True, f"Right: {top} tapped {hearts} hearts.")
    if user == top and count == batches:
        return _say(False, "Right viewer, but that is the number of heart *events*. Each event "
                    "is a batch of taps: add up the `count` column instead of counting rows.")
    if user == top:
        return _say(False, "Right viewer; check the total: sum `count` over their heart rows.")
    most_batches = per_viewer.sort("batches", descending=True)["user_id"][0]
    if user == most_batches:
        return _say(False, "That viewer sent the most heart events, not the most hearts: rank "
                    "viewers by the sum of `count`, not by the number of rows.")
    return _say(False, "Not this one. Keep only rows with kind 'heart', group by `user_id`, "
                "sum `count`, and sort from the largest.")


def exercise_0_2(answer: object) -> bool:
    """Notebook 00, exercise 2: ``(commenters, gifters)``: different viewers who did each."""
    from toolkit.events.reading import example_session

    pair = _pair(answer, "(viewers who commented, viewers who sent a gift)")
    if pair is None:
        return False
    session = example_session()
    commenters = session.filter(kind="comment")["user_id"].n_unique()
    gifters = session.filter(kind="gift")["user_id"].n_unique()
    if pair == (commenters, gifters):
        return _say(True, f"Right: {commenters} viewers commented and {gifters} sent a gift.")
    hints = []
    if pair[0] != commenters:
        rows = session.filter(kind="comment").height
        hints.append("comments: that counts comments, not viewers (use n_unique on user_id)"
                     if pair[0] == rows else "comments: count *different* user_id values")
    if pair[1] != gifters:
        rows = session.filter(kind="gift").height
        hints.append("gifts: that counts gift events, not viewers (use n_unique on user_id)"
                     if pair[1] == rows else "gifts: count different user_id among gift rows")
    return _say(False, "Not yet. " + "; ".join(hints) + ".")


def _notebook_creators() -> pl.DataFrame:
    from toolkit.likes import toy_creators

    return toy_creators(30, np.random.default_rng(2026))  # notebook 01's first draw


def exercise_1_1(answer: object) -> bool:
    """Notebook 01, exercise 1: the newcomer's rank when hearts are merged."""
    from toolkit.likes import ranking_shift

    newcomer = pl.DataFrame({"creator": ["newcomer"], "video_likes": [5_000],
                             "live_hours": [100], "live_hearts": [200_000]})
    table, _ = ranking_shift(pl.concat([_notebook_creators(), newcomer]))
    row = table.filter(creator="newcomer").row(0, named=True)
    if answer == row["rank_after"]:
        return _say(True, f"Right: rank {row['rank_after']} when hearts are merged, against "
                    f"{row['rank_before']} on the platform.")
    if answer == row["rank_before"]:
        return _say(False, "That is the rank under the platform's rule (video likes only). The "
                    "question asks for the merged rule: video likes + LIVE hearts.")
    return _say(False, "Not yet. Add a row with 5,000 video likes and 100 x 2,000 = 200,000 "
                "hearts, then run likes.ranking_shift and read rank_after.")


def exercise_1_3(answer: object) -> bool:
    """Notebook 01, exercise 3: Kendall's tau when hearts are divided by 100 before merging."""
    from toolkit.likes import ranking_shift

    creators = _notebook_creators()
    _, tau = ranking_shift(creators.with_columns(live_hearts=pl.col("live_hearts") // 100))
    _, full = ranking_shift(creators)
    if _close(answer, tau, 0.005):
        return _say(True, f"Right: tau = {tau:.2f}. Scaled down, hearts barely reorder creators.")
    if _close(answer, full, 0.005):
        return _say(False, "That is tau with the hearts at full size: divide live_hearts by 100 "
                    "first.")
    return _say(False, "Not yet. Replace live_hearts by live_hearts // 100, then take the "
                "second value returned by likes.ranking_shift.")


def exercise_2_1(answer: object) -> bool:
    """Notebook 02, exercise 1: the creator's share of a web buyer's spend on 9,450 coins."""
    from toolkit.money.payout import money_flow, rates

    share = float(money_flow(9_450, rates("web_coins")).creator_share)
    in_app = float(money_flow(9_450, rates()).creator_share)
    for value in _shares(answer):
        if _close(value, share, 0.001):
            return _say(True, f"Right: {share:.1%} of what the viewer paid.")
        if _close(value, in_app, 0.001):
            return _say(False, "That is the in-app share: use the rate set 'web_coins'.")
    return _say(False, "Not yet. Follow 9,450 coins with money.money_flow and the rate set "
                "'web_coins'; the share is creator_usd / viewer_paid_usd.")


def exercise_2_2(answer: object) -> bool:
    """Notebook 02, exercise 2: Roses needed before a first cash-out, reference and $100 min."""
    from toolkit.money.payout import rates

    pair = _pair(answer, "(Roses with the reference rates, Roses with a $100 minimum)")
    if pair is None:
        return False
    needed = tuple(int(rates(n).cashout_minimum_usd / rates(n).usd_per_diamond)
                   for n in ("reference", "hundred_dollar_minimum"))
    if tuple(pair) == needed:
        return _say(True, f"Right: {needed[0]:,} and {needed[1]:,} Roses (1 coin = 1 Diamond each).")
    return _say(False, "Not yet. A Rose is 1 coin, so 1 Diamond; the minimum in Diamonds is the "
                "minimum in dollars divided by the dollars per Diamond ($0.005).")


def exercise_2_3(answer: object) -> bool:
    """Notebook 02, exercise 3: dollars per Diamond that pay the creator 50 % (7,000 coins)."""
    from toolkit.money.coins import cheapest_purchase
    from toolkit.money.payout import diamonds_from_coins, rates

    purchase = cheapest_purchase(7_000)
    rate = float(purchase.price_usd) / 2 / int(diamonds_from_coins(purchase.coins_bought,
                                                                     rates()))
    if _close(answer, rate, 5e-6):
        return _say(True, f"Right: about ${rate:.6f} per Diamond.")
    if _close(answer, 99.99 / 2 / 7_000, 5e-6):
        return _say(False, "That uses the 7,000-coin package ($99.99); the cheapest way to buy "
                    "7,000 coins is 100 packs of 70 ($99.00): use coins.cheapest_purchase.")
    return _say(False, "Not yet. Half of what the viewer paid, divided by the Diamonds the "
                "creator gets for the coins bought.")


def exercise_3_3(answer: object) -> bool:
    """Notebook 03, exercise 3: the share of gift events that are streaks (count > 1)."""
    from toolkit.simulation.store import bundled

    share = bundled().events.filter(pl.col("kind") == "gift").select(
        (pl.col("count") > 1).mean()).collect().item()
    if any(_close(value, share, 0.001) for value in _shares(answer)):
        return _say(True, f"Right: {share:.1%} of gift events are streaks.")
    return _say(False, "Not yet. Among rows of kind 'gift', take the mean of (count > 1): "
                "a streak is one event with a count above 1.")
