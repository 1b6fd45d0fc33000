"""Pure ripple-graph logic: cycles, orders and reach."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rem.ripples.graph import downstream, reaches, ripple_orders, would_cycle

pytestmark = pytest.mark.one_database  # the same on every database


def test_orders_are_shortest_distance_from_an_activity():
    # 1 and 2 are activities; 3 <- 1; 4 <- 3; 5 <- 4 and 5 <- 2 (so 5 is first order via 2)
    edges = [(1, 3), (3, 4), (4, 5), (2, 5), (4, 6)]
    orders = ripple_orders([1, 2], edges)
    assert orders == {1: 0, 2: 0, 3: 1, 4: 2, 5: 1, 6: 3}


def test_effects_without_an_activity_have_no_order():
    orders = ripple_orders([1], [(1, 2), (7, 8)])
    assert 7 not in orders and 8 not in orders and orders[2] == 1


def test_would_cycle_detects_direct_and_long_cycles():
    edges = [(1, 2), (2, 3), (3, 4)]
    assert would_cycle(edges, 4, 1)
    assert would_cycle(edges, 3, 2)
    assert would_cycle(edges, 2, 2)
    assert not would_cycle(edges, 1, 4)
    assert not would_cycle(edges, 5, 1)


def test_downstream_collects_every_descendant_once():
    edges = [(1, 2), (1, 3), (2, 4), (3, 4), (4, 5), (6, 7)]
    assert downstream(1, edges) == {2, 3, 4, 5}
    assert downstream(6, edges) == {7}
    assert downstream(5, edges) == set()


@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), max_size=40))
def test_adding_only_allowed_edges_keeps_the_graph_acyclic(candidates):
    edges: list[tuple[int, int]] = []
    for cause, effect in candidates:
        if not would_cycle(edges, cause, effect):
            edges.append((cause, effect))
    for cause, effect in edges:
        assert not reaches([e for e in edges if e != (cause, effect)], effect, cause)
