"""The stable error codes of the procedures become shopgraph errors, with no Neo4j running:
the code picks the class, the JSON details fill its fields, the sentence is kept as sent."""

from __future__ import annotations

import pytest
from neo4j.exceptions import ClientError

from shopgraph.core.errors import (
    BadArgumentError,
    BadInputError,
    ConflictError,
    ModelNotTrainedError,
    QueryError,
    ShopgraphError,
    UnknownEntityError,
)
from shopgraph.graph.runner import _translated

#: How Neo4j wraps a procedure's exception in the message of its client error.
PREFIX = (
    "Failed to invoke procedure `shopgraph.bundle`: Caused by: "
    "io.shopgraph.plugin.common.ShopgraphException: "
)


def _raised(message: str) -> ShopgraphError:
    """What the runner raises for a Neo4j client error with this message."""
    error = ClientError._hydrate_neo4j(
        code="Neo.ClientError.Procedure.ProcedureCallFailed", message=message
    )
    with pytest.raises(ShopgraphError) as caught, _translated("bolt://test"):
        raise error
    assert caught.value.__cause__ is error
    return caught.value


def test_a_bad_argument_is_a_value_error_with_the_sentence() -> None:
    error = _raised(PREFIX + "[shopgraph.bad_argument] k must be between 1 and 1000, got 0.")
    assert type(error) is BadArgumentError
    assert isinstance(error, ValueError)
    assert str(error) == "k must be between 1 and 1000, got 0."


def test_unknown_ids_come_from_the_details_not_the_sentence() -> None:
    message = (
        '[shopgraph.unknown_id {"kind":"item","ids":["a, b","c] d","x\\"y"]}] Unknown item ids: ...'
    )
    error = _raised(PREFIX + message)
    assert isinstance(error, UnknownEntityError)
    assert (error.kind, error.ids) == ("item", ["a, b", "c] d", 'x"y'])
    assert str(error) == 'Unknown item ids: a, b, c] d, x"y.'


def test_bad_input_keeps_the_sentence_and_locates_it_from_the_details() -> None:
    sentence = "Field n of a row of sessions must be an integer, got null."
    error = _raised(PREFIX + '[shopgraph.bad_input {"index":3,"field":"n"}] ' + sentence)
    assert isinstance(error, BadInputError)
    assert (error.reason, error.index, error.field) == (sentence, 3, "n")
    plain = _raised(
        PREFIX + "[shopgraph.bad_input] A CONTAINS position must be an integer, got 0.5."
    )
    assert isinstance(plain, BadInputError)
    assert str(plain) == "A CONTAINS position must be an integer, got 0.5."


@pytest.mark.parametrize(
    ("code", "kind"),
    [("shopgraph.conflict", ConflictError), ("shopgraph.model_not_trained", ModelNotTrainedError)],
)
def test_other_codes_carry_their_sentence(code: str, kind: type[Exception]) -> None:
    error = _raised(f"{PREFIX}[{code}] Bundle statistics are missing.")
    assert type(error) is kind
    assert str(error) == "Bundle statistics are missing."


@pytest.mark.parametrize(
    "message",
    [
        "Variable `x` not defined",
        PREFIX + "[shopgraph.no_such_code] Something.",
        PREFIX + "[shopgraph.unknown_id {not json}] Unknown item id: a.",
        PREFIX + '[shopgraph.unknown_id {"kind":"item"}] Unknown item id: a.',
        PREFIX + "java.lang.IllegalArgumentException: k must be between 1 and 1000, got 0.",
    ],
)
def test_anything_else_stays_a_query_error(message: str) -> None:
    error = _raised(message)
    assert type(error) is QueryError
    assert message in str(error)
