"""The report turns measures into ratios to B0 and marks each target met or not met."""

from bench.run import evaluate, markdown


def measure(rps: float, p95: float = 10.0, errors: int = 0, hits: int = 0) -> dict:
    return {
        "requests": int(rps * 10),
        "rps": rps,
        "incomplete": False,
        "p50_ms": p95 / 2,
        "p90_ms": p95,
        "p95_ms": p95,
        "p99_ms": p95 * 2,
        "max_ms": p95 * 3,
        "errors": errors,
        "x_cache": {"hit": hits, "miss": 0, "none": 0},
    }


def results(**measures) -> dict:
    base = {
        "b0": measure(1000),
        "article_hit": measure(600),
        "article_miss": measure(90),
        "home_miss": measure(60),
        "region_miss": measure(40),
        "intersection_miss": measure(70),
        "tag_miss": measure(70),
        "deep_page1": measure(70, p95=20),
        "deep_pageN": measure(70, p95=30),
        "search_rare": measure(100, p95=20),
        "search_medium": measure(100, p95=60),
        "search_mix": measure(100, p95=100),
        "admin_small": measure(50, p95=40),
        "admin_full": measure(20, p95=100),
    }
    base.update(measures)
    machine = {"cpu": "test", "cores": 2, "load_before": "1", "load_after": "1"}
    return {
        "run": {
            "date": "today",
            "n": 100000,
            "duration": 10,
            "threads": 2,
            "connections": 8,
            "workers": 5,
            "cache": "Redis",
            "machine": machine,
        },
        "measures": base,
        "labels": {},
        "queries": {
            "small": [{"key": "home_miss", "queries": 6, "public": True}],
            "full": [{"key": "home_miss", "queries": 7, "public": True}],
        },
        "search": {"agreement": {"policy": 0.9, "security": 0.8}, "facets": {}},
        "publish": {"seconds": 0.4},
        "rss": {"max_growth": 1.05, "timeouts": 0},
    }


def verdicts(data: dict) -> dict:
    return {t["target"]: t["met"] for t in evaluate(data)}


def test_shares_of_b0_decide_the_page_targets():
    met = verdicts(results())
    assert met["article, cache hit ≥ 50 % of B0"] is True
    assert met["article, cache miss ≥ 10 % of B0"] is False
    assert met["home, cache miss ≥ 5 % of B0"] is True
    assert met["region hub, cache miss ≥ 5 % of B0"] is False


def test_query_counts_must_be_identical_at_both_sizes():
    met = verdicts(results())
    assert met["SQL queries per public page ≤ 10, identical at 1k and full size"] is False


def test_latency_ratios_and_limits_decide_the_rest():
    met = verdicts(results())
    assert met["deep listing page p95 ≤ 2 x page 1"] is True
    assert met["admin change list p95 at full size ≤ 2 x at 1k"] is False
    assert met["search rare p95 ≤ 50 ms"] is True
    assert met["search medium p95 ≤ 50 ms"] is False
    assert met["top-10 agreement ≥ 80 % on common terms"] is True
    assert met["publish → visible to anonymous readers ≤ 5 s"] is True


def test_one_failed_request_anywhere_fails_the_errors_target():
    met = verdicts(results(tag_miss=measure(70, errors=1)))
    assert met["worker RSS after ≤ 1.2 x before; no timeouts; 0 errors"] is False


def test_a_measure_where_no_request_completed_is_a_miss_not_a_pass():
    stuck = {**measure(0), "requests": 0, "incomplete": True, "p95_ms": None}
    met = verdicts(results(search_mix=stuck))
    assert met["search mix p95 ≤ 150 ms"] is False
    assert "no request completed" in markdown(results(search_mix=stuck))


def test_the_table_shows_each_figure_as_a_share_of_b0():
    table = markdown(results())
    assert "| article_hit | 600 | 60.0 % |" in table
    assert "**not met**" in table
