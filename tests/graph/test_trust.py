"""Trust on the real server: hand-made fraudulent and genuine users, weights, explain, bundles."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from shopgraph.cli import main
from shopgraph.core.errors import UnknownEntityError
from shopgraph.graph.client import ShopGraph
from shopgraph.graph.recommend import WalkOptions, refresh_bundle_masses
from shopgraph.graph.trust import compute_trust, explain_trust, users_since

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
HEADER = [
    "event_time", "event_type", "product_id", "category_id", "category_code", "brand", "price",
    "user_id", "user_session",
]  # fmt: skip
RING = ["t1", "t2", "t3", "t4"]


class Events:
    """Collects REES46 rows; ``write`` stores them sorted by time."""

    def __init__(self) -> None:
        self.rows: list[tuple[datetime, str, str, str, str]] = []

    def add(self, at: datetime, kind: str, item: str, user: str, session: str) -> None:
        self.rows.append((at, kind, item, user, session))

    def browse_and_buy(
        self, at: datetime, user: str, session: str, viewed: list[str], bought: list[str]
    ) -> None:
        """A human session: a view every 40 s, then a cart and a purchase per bought item."""
        for n, item in enumerate(viewed):
            self.add(at + timedelta(seconds=40 * n), "view", item, user, session)
        end = at + timedelta(seconds=40 * len(viewed))
        for n, item in enumerate(bought):
            self.add(end + timedelta(seconds=30 * n), "cart", item, user, session)
            self.add(end + timedelta(seconds=30 * n + 60), "purchase", item, user, session)

    def write(self, path: Path) -> Path:
        with path.open("w", newline="") as f:
            out = csv.writer(f)
            out.writerow(HEADER)
            for at, kind, item, user, session in sorted(self.rows):
                stamp = at.strftime("%Y-%m-%d %H:%M:%S UTC")
                out.writerow([stamp, kind, item, "1", "", "acme", "9.99", user, session])
        return path


def shop_events() -> Events:
    """Background shoppers, a heavy buyer, a new buyer, a bot, a blind buyer and a ring."""
    events = Events()
    rng = np.random.default_rng(3)
    catalogue = [f"p{n}" for n in range(200)]
    for u in range(40):  # background: three sessions each over a week, diverse items
        for s in range(3):
            items = [catalogue[int(i)] for i in rng.choice(200, 6, replace=False)]
            at = T0 + timedelta(days=2 * s, hours=u % 12)
            events.browse_and_buy(at, f"g{u}", f"g{u}-{s}", items, items[:1])
    for d in range(30):  # genuine heavy buyer: a session a day, browses, buys two
        items = [catalogue[(7 * d + k) % 200] for k in range(8)]
        events.browse_and_buy(T0 + timedelta(days=d), "heavy", f"heavy-{d}", items, items[:2])
    events.browse_and_buy(T0 + timedelta(days=3), "newbie", "newbie-0", ["p1", "p2", "p3"], ["p2"])
    for n in range(200):  # bot: 200 views of two items in 60 s
        events.add(T0 + timedelta(seconds=0.3 * n), "view", f"p{n % 2}", "bot", "bot-0")
    for n, item in enumerate(["p10", "p11", "p12"]):  # purchases without any view
        events.add(T0 + timedelta(days=5, minutes=n), "purchase", item, "blind", "blind-0")
    for r in range(20):  # lockstep ring: new accounts, all buying the same four items + p0
        at = T0 + timedelta(days=10, minutes=5 * r)
        events.browse_and_buy(at, f"ring{r}", f"ring{r}-0", ["p0", *RING], ["p0", *RING])
    for q in range(5):  # genuine co-purchase of p0 with q
        at = T0 + timedelta(days=12 + q)
        events.browse_and_buy(at, f"pq{q}", f"pq{q}-0", ["p0", "q"], ["p0", "q"])
    return events


@pytest.fixture
def loaded(shop: ShopGraph, tmp_path: Path) -> ShopGraph:
    shop.load_rees46(shop_events().write(tmp_path / "events.csv"))
    return shop


def _weights(shop: ShopGraph, user: str) -> set[float]:
    rows = shop.runner.read_tx(
        lambda tx: tx._tx.run(
            "MATCH (u:User {userId: $u})-[h:HAS_SESSION]->(s)-[r]->(:Item) "
            "RETURN collect(DISTINCT r.weight) + collect(DISTINCT h.weight) AS w "
            "UNION MATCH (u:User {userId: $u})-[p:PLACED]->(o)-[c:CONTAINS]->(:Item) "
            "RETURN collect(DISTINCT c.weight) + collect(DISTINCT p.weight) AS w",
            u=user,
        ).data()
    )
    return {float(w) for row in rows for w in row["w"]}


def test_fraudulent_users_lose_trust_and_genuine_ones_keep_it(loaded: ShopGraph) -> None:
    report = compute_trust(loaded.runner)
    scores = {s.user_id: s for s in report.scores}

    assert len(scores) == 40 + 1 + 1 + 1 + 1 + 20 + 5
    assert all(scores[f"g{u}"].trust == 1.0 for u in range(40))
    heavy = scores["heavy"]
    assert heavy.trust == 1.0
    assert heavy.blind_purchases == 0
    assert heavy.span_hours > 24 * 29
    assert scores["newbie"].trust == pytest.approx(0.8)
    assert scores["newbie"].new_account_penalty == 0.2
    bot = scores["bot"]
    assert bot.velocity_penalty == 1.0
    assert bot.repeat_penalty == 1.0
    assert bot.max_rate == pytest.approx(199 / (59 / 60))  # times are whole seconds
    assert bot.trust == 0.02
    assert scores["blind"].blind_purchases == 3
    assert scores["blind"].trust == 0.02
    for r in range(20):
        ring = scores[f"ring{r}"]
        assert ring.lockstep_partners == 3
        assert ring.crowd_items == 0
        assert ring.lockstep_penalty == 1.0
        assert ring.trust == 0.02
    assert all(scores[f"pq{q}"].lockstep_partners == 0 for q in range(5))
    assert report.low == 1 + 1 + 20

    assert _weights(loaded, "ring3") == {0.02}
    assert _weights(loaded, "heavy") == {1.0}
    assert {round(w, 9) for w in _weights(loaded, "newbie")} == {0.8}


CLUB = ["c1", "c2", "c3", "c4"]
LOCAL = [f"l{n}" for n in range(6)]


def test_a_genuine_community_and_heavy_buyers_keep_full_trust(
    shop: ShopGraph, tmp_path: Path
) -> None:
    """Members of a club all buy its four items (a lockstep group, like the ring), and each
    also buys three of six local items, every one of them bought by half the club; two of them
    are heavy buyers with a session a day for three weeks."""
    events = shop_events()
    for m in range(14):
        local = [LOCAL[(m + k) % 6] for k in range(3)]
        days = 21 if m < 2 else 3
        for d in range(days):
            at = T0 + timedelta(days=d, hours=m % 10)
            bought = [*CLUB, *local] if d == 0 else [f"club{m}-item{d}"]
            events.browse_and_buy(at, f"club{m}", f"club{m}-{d}", bought, bought)
    shop.load_rees46(events.write(tmp_path / "events.csv"))

    scores = {s.user_id: s for s in compute_trust(shop.runner).scores}

    for m in range(14):
        member = scores[f"club{m}"]
        assert member.lockstep_partners == 3
        assert member.crowd_items == 3
        assert member.lockstep_penalty == 0.0
        assert member.trust == 1.0
    assert scores["club0"].span_hours > 24 * 20
    for r in range(20):  # the ring shares only p0, which the whole ring holds
        assert scores[f"ring{r}"].crowd_items == 0
        assert scores[f"ring{r}"].trust == 0.02
    assert scores["heavy"].trust == 1.0
    explained = explain_trust(shop.runner, "club0")
    assert explained is not None
    assert explained.reasons() == []
    assert _weights(shop, "club0") == {1.0}


def test_explain_says_why(loaded: ShopGraph, capsys: pytest.CaptureFixture[str]) -> None:
    assert explain_trust(loaded.runner, "bot") is None
    compute_trust(loaded.runner)

    bot = explain_trust(loaded.runner, "bot")
    assert bot is not None
    reasons = bot.reasons()
    assert reasons[0].startswith("bot-like velocity: 202.4 events per minute in one session")
    assert reasons[1] == "repeats: 100.0 events per distinct item (penalty 1.00)"
    heavy = explain_trust(loaded.runner, "heavy")
    assert heavy is not None
    assert heavy.reasons() == []
    with pytest.raises(UnknownEntityError, match=r"Unknown user id: nobody\."):
        explain_trust(loaded.runner, "nobody")

    settings_args = ["--uri", loaded.runner.uri]
    assert main(["trust", "explain", "ring0", *settings_args]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("User ring0: trust 0.020")
    assert "in a lockstep group: one of its items has 3 lockstep partners" in out


def test_incremental_run_scores_new_users_and_their_ring(loaded: ShopGraph, tmp_path: Path) -> None:
    compute_trust(loaded.runner)
    later = Events()
    at = T0 + timedelta(days=40)
    later.browse_and_buy(at, "ring20", "ring20-0", ["p0", *RING], ["p0", *RING])
    later.browse_and_buy(at, "late", "late-0", ["p5", "p6"], ["p6"])
    loaded.load_rees46(later.write(tmp_path / "later.csv"))

    fresh = users_since(loaded.runner, at - timedelta(hours=1))
    assert fresh == ["late", "ring20"]
    report = compute_trust(loaded.runner, users=fresh)

    scored = {s.user_id: s.trust for s in report.scores}
    assert scored["ring20"] == 0.02
    assert scored["late"] == pytest.approx(0.8)
    # The ring's older accounts and the genuine holders of its items are rescored too.
    assert {f"ring{r}" for r in range(20)} <= set(scored)
    assert _weights(loaded, "ring20") == {0.02}
    with pytest.raises(UnknownEntityError, match=r"Unknown user id: ghost\."):
        compute_trust(loaded.runner, users=["ghost"])


def test_bundles_on_the_graph_drop_the_ring_after_trust(loaded: ShopGraph) -> None:
    refresh_bundle_masses(loaded.runner)
    before = [b.item_id for b in loaded.bundle(["p0"], 5)]
    assert before[0] in RING

    compute_trust(loaded.runner)
    refresh_bundle_masses(loaded.runner)
    after = loaded.bundle(["p0"], 10)

    assert after[0].item_id == "q"
    assert after[0].score > 0
    # Ring items fall out of the top 10 or keep at most a tenth of the winner's score.
    assert all(b.score < 0.1 * after[0].score for b in after if b.item_id in RING)


def test_walks_follow_the_trust_weights(loaded: ShopGraph) -> None:
    loaded.runner.read("call_walk_refresh")
    before = [c.item_id for c in loaded.similar("p0", 5, WalkOptions(seed=1))]
    assert set(before[:4]) == set(RING)

    compute_trust(loaded.runner)
    loaded.runner.read("call_walk_refresh")
    after = [c.item_id for c in loaded.similar("p0", 5, WalkOptions(seed=1))]

    assert after[0] == "q"
    assert not set(after[:2]) & set(RING)


def test_cli_scores_incrementally_and_refreshes_bundles(
    loaded: ShopGraph, capsys: pytest.CaptureFixture[str]
) -> None:
    uri = ["--uri", loaded.runner.uri]

    assert main(["trust", "--since", "2024-03-11T00:00:00+00:00", *uri]) == 0

    out = capsys.readouterr().out.splitlines()
    # Since day 10: the ring (20, all low), the five p0 + q buyers and the heavy buyer
    # (a session a day for 30 days); no one else.
    assert out[0].startswith("Scored 26 users in ")
    assert out[0].endswith(": 20 with trust below 0.5.")
    assert out[1].startswith("Bundle masses refreshed: ")
    assert explain_trust(loaded.runner, "g0") is None
