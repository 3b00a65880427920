"""The condition language of `delegated_when`: a tokenizer and a recursive-descent parser (never `eval`).

    condition  := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | "(" condition ")" | comparison | "always" | "never"
    comparison := operand ("<" | "<=" | ">" | ">=" | "==" | "!=") operand
    operand    := fact | parameter | integer | quoted literal

The result is a `model.Condition`, type-checked against `model.FACT_TYPES` and the policy's parameters.
Problems carry the 0-based column in the expression, so the loader can point at the exact token.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, NoReturn, TypeAlias

from rules.model import (
    FACT_TYPES,
    All,
    Always,
    Any,
    Compare,
    CompareOp,
    Condition,
    Constant,
    FactRef,
    FactType,
    Not,
    Operand,
    ParamRef,
    Unit,
)
from rules.money import MoneyFormatError, parse_cents

MAX_LENGTH = 500
MAX_NESTING = 20
MAX_INTEGER_DIGITS = 12

#: The type a parameter of each unit has in a condition.
UNIT_TYPES: Mapping[Unit, FactType] = {
    Unit.EUR: FactType.MONEY,
    Unit.COUNT: FactType.INT,
    Unit.YEARS: FactType.INT,
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in an expression, at a 0-based column of the expression's text."""

    column: int
    message: str


class ExpressionError(ValueError):
    """An expression (a condition or a limit sentence) that cannot be used; holds every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"column {p.column}: {p.message}" for p in self.problems))


TokenKind = Literal["op", "(", ")", "number", "quoted", "name", "word", "end"]
_KEYWORDS = frozenset({"and", "or", "not", "always", "never"})
_TOKEN = re.compile(
    r"""(?P<space>\s+)
    |(?P<op><=|>=|==|!=|<|>)
    |(?P<paren>[()])
    |(?P<number>\d+(?:\.\d+)?)
    |(?P<quoted>"[^"]*"|'[^']*')
    |(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str
    column: int


def tokenize(text: str) -> list[Token]:
    """The tokens of a condition, ending with an "end" token. Raises ExpressionError on a stray character."""
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise ExpressionError([Problem(position, _stray_character(text, position))])
        kind = match.lastgroup
        value = match.group()
        if kind == "paren":
            tokens.append(Token("(" if value == "(" else ")", value, position))
        elif kind == "name":
            tokens.append(Token("word" if value in _KEYWORDS else "name", value, position))
        elif kind in ("op", "number", "quoted"):
            tokens.append(Token(kind, value, position))  # type: ignore[arg-type]
        position = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


def _stray_character(text: str, position: int) -> str:
    char = text[position]
    if char in "\"'":
        return f"the quote {char} is never closed"
    if char == "=":
        return 'write "==" to compare for equality'
    if char == "!":
        return 'write "!=" for "is not equal to"'
    return f'unexpected character "{char}"'


def parse_condition(text: str, parameter_types: Mapping[str, FactType | None]) -> Condition:
    """Parse and type-check a `delegated_when` condition.

    `parameter_types` maps every parameter of the policy to its type; None means the parameter exists but its
    unit is broken (already reported), so comparisons with it are not checked further.
    """
    if len(text) > MAX_LENGTH:
        raise ExpressionError([Problem(0, f"the condition is longer than {MAX_LENGTH} characters")])
    if not text.strip():
        raise ExpressionError([Problem(0, "the condition is empty; write a condition, always or never")])
    return _Parser(tokenize(text), parameter_types).parse()


_Kind: TypeAlias = FactType | None  # None: unknown, because a problem was already reported


@dataclass(frozen=True, slots=True)
class _Side:
    token: Token
    operand: Operand | None  # None for a literal, whose type depends on the other side
    type: _Kind


class _Parser:
    def __init__(self, tokens: list[Token], parameter_types: Mapping[str, FactType | None]) -> None:
        self.tokens = tokens
        self.position = 0
        self.depth = 0
        self.parameter_types = parameter_types
        self.problems: list[Problem] = []

    def parse(self) -> Condition:
        condition = self._or()
        if self._peek().kind != "end":
            self._fail(f'expected "and", "or" or the end of the condition, found {_show(self._peek())}')
        if self.problems:
            raise ExpressionError(self.problems)
        return condition

    def _peek(self) -> Token:
        return self.tokens[self.position]

    def _next(self) -> Token:
        token = self.tokens[self.position]
        self.position = min(self.position + 1, len(self.tokens) - 1)
        return token

    def _fail(self, message: str, token: Token | None = None) -> NoReturn:
        token = token or self._peek()
        raise ExpressionError([*self.problems, Problem(token.column, message)])

    def _is_word(self, word: str) -> bool:
        token = self._peek()
        return token.kind == "word" and token.text == word

    def _or(self) -> Condition:
        parts = [self._and()]
        while self._is_word("or"):
            self._next()
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else Any(tuple(parts))

    def _and(self) -> Condition:
        parts = [self._not()]
        while self._is_word("and"):
            self._next()
            parts.append(self._not())
        return parts[0] if len(parts) == 1 else All(tuple(parts))

    def _not(self) -> Condition:
        token = self._peek()
        self.depth += 1
        try:
            if self.depth > MAX_NESTING:
                self._fail(f"the condition is nested more than {MAX_NESTING} levels deep")
            if self._is_word("not"):
                self._next()
                return Not(self._not())
            if token.kind == "(":
                self._next()
                inner = self._or()
                if self._peek().kind != ")":
                    self._fail('expected ")" to close the "("')
                self._next()
                return inner
            if self._is_word("always") or self._is_word("never"):
                self._next()
                if len(self.tokens) != 2:
                    self.problems.append(Problem(token.column, f'"{token.text}" must stand alone'))
                return Always(token.text == "always")
            return self._comparison()
        finally:
            self.depth -= 1

    def _comparison(self) -> Condition:
        left = self._side()
        op_token = self._peek()
        if op_token.kind != "op":
            self._fail(
                f"expected a comparison such as < or == after {_show(left.token)}, found {_show(op_token)}"
            )
        self._next()
        right = self._side()
        op: CompareOp = op_token.text  # type: ignore[assignment]
        return self._typed_compare(op, op_token, left, right)

    def _side(self) -> _Side:
        token = self._next()
        if token.kind in ("number", "quoted"):
            return _Side(token, None, None)
        if token.kind != "name":
            self._fail(f"expected a fact, a parameter or a value, found {_show(token)}", token)
        name = token.text
        if "." in name:
            if name not in FACT_TYPES:
                known = ", ".join(FACT_TYPES)
                self.problems.append(Problem(token.column, f'unknown fact "{name}"; known facts: {known}'))
                return _Side(token, FactRef(name), None)
            return _Side(token, FactRef(name), FACT_TYPES[name])
        if name not in self.parameter_types:
            self.problems.append(
                Problem(token.column, f'unknown parameter "{name}" (facts are written like beneficiary.age)')
            )
            return _Side(token, ParamRef(name), None)
        return _Side(token, ParamRef(name), self.parameter_types[name])

    def _typed_compare(self, op: CompareOp, op_token: Token, left: _Side, right: _Side) -> Condition:
        if left.operand is None and right.operand is None:
            self.problems.append(
                Problem(left.token.column, "at least one side must be a fact or a parameter")
            )
            return Always(False)
        left_operand, left_type = self._resolve(left, right)
        right_operand, right_type = self._resolve(right, left)
        if left_type is not None and right_type is not None:
            if left_type is not right_type:
                self.problems.append(
                    Problem(
                        op_token.column,
                        f"cannot compare {_describe(left)} ({left_type.value}) "
                        f"with {_describe(right)} ({right_type.value})",
                    )
                )
            elif left_type is FactType.TEXT and op not in ("==", "!="):
                self.problems.append(
                    Problem(op_token.column, f'texts can only be compared with == or !=, not "{op}"')
                )
        return Compare(op, left_operand, right_operand)

    def _resolve(self, side: _Side, other: _Side) -> tuple[Operand, _Kind]:
        """The operand of one side; a literal takes its type from the other side."""
        if side.operand is not None:
            return side.operand, side.type
        token = side.token
        if token.kind == "quoted":
            value = token.text[1:-1]
            if other.type is FactType.MONEY:
                try:
                    return Constant(parse_cents(value), FactType.MONEY), FactType.MONEY
                except MoneyFormatError:
                    message = (
                        f'"{value}" is not an amount; write euros with at most two decimals, such as "250.00"'
                    )
                    self.problems.append(Problem(token.column, message))
                    return Constant(0, FactType.MONEY), None
            if other.type is FactType.INT:
                message = f'"{value}" in quotes is a text and cannot be compared with a number'
                if value.isdigit():
                    message += f"; write {value} without quotes"
                self.problems.append(Problem(token.column, message))
                return Constant(value, FactType.TEXT), None
            return Constant(value, FactType.TEXT), FactType.TEXT
        if "." in token.text:
            self.problems.append(
                Problem(
                    token.column,
                    f'a number with decimals is an amount; write it in quotes: "{_two_decimals(token.text)}"',
                )
            )
            return Constant(0, FactType.MONEY), None
        if len(token.text) > MAX_INTEGER_DIGITS:
            self.problems.append(Problem(token.column, f"the number {token.text} is too large"))
            return Constant(0, FactType.INT), None
        if other.type is FactType.MONEY:
            self.problems.append(
                Problem(
                    token.column,
                    f'an amount must be written in quotes: write "{token.text}.00", not {token.text}',
                )
            )
            return Constant(int(token.text) * 100, FactType.MONEY), None
        return Constant(int(token.text), FactType.INT), FactType.INT


def _describe(side: _Side) -> str:
    if side.operand is None:
        return side.token.text
    return f'fact "{side.token.text}"' if "." in side.token.text else f'parameter "{side.token.text}"'


def _two_decimals(number: str) -> str:
    whole, _, decimals = number.partition(".")
    return f"{whole}.{decimals.ljust(2, '0')}"


def _show(token: Token) -> str:
    return "the end of the condition" if token.kind == "end" else f'"{token.text}"'
