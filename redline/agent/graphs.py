"""Small helpers to wire the flows' LangGraph graphs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langgraph.graph import START, StateGraph


def graph_of(state: type, nodes: dict[str, Callable[[Any], Any]]) -> StateGraph:
    """A graph with these nodes, START leading to the first one."""
    graph = StateGraph(state)
    for name, node in nodes.items():
        graph.add_node(name, node)
    graph.add_edge(START, next(iter(nodes)))
    return graph


def chain(graph: StateGraph, *names: str) -> None:
    """Edges from each named node to the next."""
    for first, second in zip(names, names[1:], strict=False):
        graph.add_edge(first, second)


def compile_flow(graph: StateGraph) -> Any:
    """Compile a flow that is never checkpointed, not even when it runs inside a graph that
    is (a conversation): its state holds models and caches that do not serialise."""
    return graph.compile(checkpointer=False)
