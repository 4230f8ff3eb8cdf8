"""Error-guided operators: the error message picks the fix; several shapes of each bug class."""

from __future__ import annotations

from fixloop.repair import apis, awaits, dates, keys, loops, returns, strings

from .helpers import code, guided, rank_of, symptom

# ---- a coroutine called without await ----------------------------------------------------------

FETCH = """
import asyncio


async def fetch(x):
    await asyncio.sleep(0)
    return {"v": x}
"""


def test_await_where_the_coroutine_was_assigned_before_the_failing_line() -> None:
    source = code(
        FETCH
        + """

async def total(xs):
    s = 0
    for x in xs:
        r = fetch(x)
        s += r["v"]
    return s
"""
    )
    sick = symptom("TypeError", "'coroutine' object is not subscriptable", 14)
    texts = guided(awaits.for_symptom, source, sick, True)
    rank_of(source.replace("r = fetch(x)", "r = await fetch(x)"), texts, 1)


def test_await_binds_before_an_operator_and_is_parenthesised_before_a_subscript() -> None:
    source = code(
        FETCH
        + """

async def plus_one(x):
    return fetch(x)["v"] + 1


async def bumped(x):
    value = fetch(x) or {}
    return value
"""
    )
    sick = symptom("TypeError", "'coroutine' object is not subscriptable", 10)
    texts = guided(awaits.for_symptom, source, sick, True)
    rank_of(source.replace('return fetch(x)["v"]', 'return (await fetch(x))["v"]'), texts, 1)
    # A message that names no coroutine guides nothing.
    assert not guided(awaits.for_symptom, source, symptom("TypeError", "bad operand", 10), True)


def test_await_on_a_method_named_by_the_attribute_error() -> None:
    source = code(
        """
        class Store:
            async def load(self):
                return {"a": 1}

            async def keys(self):
                data = self.load()
                return sorted(data.keys())
        """
    )
    sick = symptom("AttributeError", "'coroutine' object has no attribute 'keys'", 7)
    texts = guided(awaits.for_symptom, source, sick, True)
    rank_of(source.replace("data = self.load()", "data = await self.load()"), texts, 1)


def test_a_synchronous_caller_runs_the_coroutine() -> None:
    source = code(
        FETCH
        + """

def main():
    value = fetch(3)
    print(value["v"])
"""
    )
    sick = symptom("TypeError", "'coroutine' object is not subscriptable", 11)
    texts = guided(awaits.for_symptom, source, sick, True)
    rank_of(source.replace("value = fetch(3)", "value = asyncio.run(fetch(3))"), texts, 1)


def test_a_never_awaited_warning_names_the_coroutine() -> None:
    source = code(
        """
        async def save(item, db):
            db.append(item)


        async def save_all(items, db):
            for item in items:
                save(item, db)
        """
    )
    sick = symptom("RuntimeWarning", "coroutine 'save' was never awaited", 7)
    texts = guided(awaits.for_symptom, source, sick, False)
    rank_of(source.replace("        save(item, db)", "        await save(item, db)"), texts, 1)


# ---- the sibling API -----------------------------------------------------------------------------


def test_json_loads_of_a_file_becomes_load_and_load_of_text_becomes_loads() -> None:
    source = code(
        """
        import json


        def read(path):
            with open(path) as fh:
                return json.loads(fh)


        def parse(text):
            return json.load(text)
        """
    )
    sick = symptom(
        "TypeError", "the JSON object must be str, bytes or bytearray, not TextIOWrapper", 6
    )
    rank_of(
        source.replace("json.loads(fh)", "json.load(fh)"), guided(apis.for_symptom, source, sick), 1
    )
    sick = symptom("AttributeError", "'str' object has no attribute 'read'", 10)
    rank_of(
        source.replace("json.load(text)", "json.loads(text)"),
        guided(apis.for_symptom, source, sick),
        1,
    )


def test_pickle_and_dump_siblings() -> None:
    source = code(
        """
        import json
        import pickle


        def restore(path):
            with open(path, "rb") as fh:
                return pickle.loads(fh)


        def save(data, path):
            with open(path, "w") as fh:
                json.dumps(data, fh)
        """
    )
    sick = symptom("TypeError", "a bytes-like object is required, not '_io.BufferedReader'", 7)
    rank_of(
        source.replace("pickle.loads(fh)", "pickle.load(fh)"),
        guided(apis.for_symptom, source, sick),
        1,
    )
    sick = symptom("TypeError", "dumps() takes 1 positional argument but 2 were given", 12)
    rank_of(
        source.replace("json.dumps(data, fh)", "json.dump(data, fh)"),
        guided(apis.for_symptom, source, sick),
        1,
    )


def test_match_becomes_search_and_append_on_a_set_becomes_add() -> None:
    source = code(
        """
        import re


        def year(text, seen):
            found = re.match(r"\\d{4}", text).group(0)
            seen.append(found)
            return found
        """
    )
    sick = symptom("AttributeError", "'NoneType' object has no attribute 'group'", 5)
    rank_of(source.replace("re.match(", "re.search("), guided(apis.for_symptom, source, sick), 1)
    sick = symptom("AttributeError", "'set' object has no attribute 'append'", 6)
    rank_of(source.replace("seen.append", "seen.add"), guided(apis.for_symptom, source, sick), 1)


def test_strptime_on_a_date_formats_it_and_strftime_on_text_parses_it() -> None:
    source = code(
        """
        from datetime import datetime


        def label(moment):
            return datetime.strptime(moment, "%d %b")


        def parse(text):
            return text.strftime("%Y-%m-%d")
        """
    )
    sick = symptom("TypeError", "strptime() argument 1 must be str, not datetime.datetime", 5)
    expected = source.replace('datetime.strptime(moment, "%d %b")', 'moment.strftime("%d %b")')
    rank_of(expected, guided(apis.for_symptom, source, sick), 1)
    sick = symptom("AttributeError", "'str' object has no attribute 'strftime'", 9)
    expected = source.replace('text.strftime("%Y-%m-%d")', 'datetime.strptime(text, "%Y-%m-%d")')
    rank_of(expected, guided(apis.for_symptom, source, sick), 1)


def test_file_mode_follows_what_is_written() -> None:
    source = code(
        """
        def dump(blob, path):
            with open(path, "w") as fh:
                fh.write(blob)
        """
    )
    sick = symptom("TypeError", "write() argument must be str, not bytes", 3)
    rank_of(source.replace('"w"', '"wb"'), guided(apis.for_symptom, source, sick), 1)


def test_a_loop_over_an_integer_loops_over_its_range() -> None:
    source = code(
        """
        def squares(n):
            for i in n:
                yield i * i


        def cubes(n):
            return [i**3 for i in len(n)]
        """
    )
    sick = symptom("TypeError", "'int' object is not iterable", 2)
    rank_of(
        source.replace("for i in n:", "for i in range(n):"),
        guided(apis.for_symptom, source, sick),
        1,
    )
    sick = symptom("TypeError", "'int' object is not iterable", 7)
    expected = source.replace("for i in len(n)]", "for i in range(len(n))]")
    rank_of(expected, guided(apis.for_symptom, source, sick), 1)


# ---- date format strings -------------------------------------------------------------------------


def test_strptime_format_derived_from_the_shown_data() -> None:
    source = code(
        """
        from datetime import datetime


        def day(text):
            return datetime.strptime(text, "%Y-%m-%d").day
        """
    )
    sick = symptom("ValueError", "time data '25/12/2024' does not match format '%Y-%m-%d'", 5)
    texts = guided(dates.for_symptom, source, sick)
    rank_of(source.replace("%Y-%m-%d", "%d/%m/%Y"), texts, 1)
    sick = symptom("ValueError", "time data '04 Mar 2024' does not match format '%Y-%m-%d'", 5)
    rank_of(source.replace("%Y-%m-%d", "%d %b %Y"), guided(dates.for_symptom, source, sick), 1)


def test_a_format_constant_elsewhere_in_the_file_keeps_its_directive_order() -> None:
    source = code(
        """
        from datetime import datetime

        STAMP = '%Y-%m-%d %H:%M'  # how the log writes times


        def when(line):
            return datetime.strptime(line[:16], STAMP)
        """
    )
    sick = symptom(
        "ValueError", "time data '2024/03/04 10:30' does not match format '%Y-%m-%d %H:%M'", 7
    )
    texts = guided(dates.for_symptom, source, sick)
    assert rank_of(source.replace("'%Y-%m-%d %H:%M'", "'%Y/%m/%d %H:%M'"), texts, 1) == 0


def test_unconverted_data_extends_the_format() -> None:
    source = code(
        """
        import datetime


        def parse(text):
            return datetime.datetime.strptime(text, "%Y-%m-%d")
        """
    )
    sick = symptom("ValueError", "unconverted data remains:  10:30", 5)
    rank_of(
        source.replace("%Y-%m-%d", "%Y-%m-%d %H:%M"), guided(dates.for_symptom, source, sick), 1
    )


def test_every_offered_format_parses_the_data() -> None:
    for data in ("03/04/2024", "2024-03-04T10:30:05.123", "10:30 PM", "March 4, 2024", "20240304"):
        found = dates.formats_for(data, "%Y-%m-%d")
        assert found, data
        assert all(dates.parses(data, fmt) for fmt in found)
    assert dates.formats_for("not a date at all", "%Y") == []


# ---- separators ----------------------------------------------------------------------------------


def test_separator_present_in_the_shown_data() -> None:
    source = code(
        """
        def numbers(text):
            return [int(part) for part in text.split(",")]
        """
    )
    sick = symptom("ValueError", "invalid literal for int() with base 10: '1;2;3'", 2)
    texts = guided(strings.separators_for_symptom, source, sick)
    rank_of(source.replace('split(",")', 'split(";")'), texts, 1)
    sick = symptom("ValueError", "could not convert string to float: '1.5 2.5'", 2)
    texts = guided(strings.separators_for_symptom, source, sick)
    rank_of(source.replace('split(",")', "split()"), texts, 1)


def test_unpacking_the_split_too_few_or_too_many() -> None:
    source = code(
        """
        def pair(line):
            parts = line.strip().split(';')
            key, value = parts
            return key, int(value)
        """
    )
    sick = symptom("ValueError", "not enough values to unpack (expected 2, got 1)", 3)
    texts = guided(strings.separators_for_symptom, source, sick)
    rank_of(source.replace("split(';')", "split(',')"), texts, 2)
    sick = symptom("ValueError", "too many values to unpack (expected 2)", 3)
    texts = guided(strings.separators_for_symptom, source, sick)
    rank_of(source.replace("split(';')", "split(';', 1)"), texts, 1)


def test_join_of_numbers_and_join_the_wrong_way_round() -> None:
    source = code(
        """
        def line(values, parts):
            head = ", ".join(values)
            return head + parts.join("-")
        """
    )
    sick = symptom("TypeError", "sequence item 0: expected str instance, int found", 2)
    texts = guided(strings.separators_for_symptom, source, sick)
    rank_of(source.replace("join(values)", "join(map(str, values))"), texts, 1)
    sick = symptom("AttributeError", "'list' object has no attribute 'join'", 3)
    texts = guided(strings.separators_for_symptom, source, sick)
    rank_of(source.replace('parts.join("-")', '"-".join(parts)'), texts, 1)


# ---- a missing key initialisation ----------------------------------------------------------------


def test_append_on_a_missing_key() -> None:
    source = code(
        """
        def group(pairs):
            groups = {}
            for key, value in pairs:
                groups[key].append(value)
            return groups
        """
    )
    sick = symptom("KeyError", "'a'", 4)
    texts = guided(keys.key_initialisation, source, sick, True)
    rank_of(source.replace("groups[key].append", "groups.setdefault(key, []).append"), texts, 1)
    guard = "        if key not in groups:\n            groups[key] = []\n"
    rank_of(
        source.replace("        groups[key].append", guard + "        groups[key].append"), texts, 2
    )
    with_import = "from collections import defaultdict\n" + source.replace(
        "groups = {}", "groups = defaultdict(list)"
    )
    rank_of(with_import, texts, 3)
    # Without the right to add an import, no defaultdict.
    assert with_import not in guided(keys.key_initialisation, source, sick, False)


def test_counting_with_plus_equals_on_a_missing_key() -> None:
    source = code(
        """
        import collections


        def tally(words):
            counts = dict()
            for word in words:
                counts[word.lower()] += 1
            return counts
        """
    )
    sick = symptom("KeyError", "'the'", 7)
    texts = guided(keys.key_initialisation, source, sick, False)
    expected = source.replace(
        "counts[word.lower()] += 1", "counts[word.lower()] = counts.get(word.lower(), 0) + 1"
    )
    rank_of(expected, texts, 1)
    rank_of(source.replace("counts = dict()", "counts = collections.defaultdict(int)"), texts, 3)


def test_nested_and_attribute_containers() -> None:
    source = code(
        """
        from collections import defaultdict


        class Index:
            def __init__(self):
                self.words = {}
                self.grid = {}

            def add(self, word, page, row, col):
                self.words[word].add(page)
                self.grid[row][col] = word
        """
    )
    sick = symptom("KeyError", "'cat'", 10)
    texts = guided(keys.key_initialisation, source, sick, False)
    rank_of(
        source.replace("self.words[word].add", "self.words.setdefault(word, set()).add"), texts, 1
    )
    rank_of(source.replace("self.words = {}", "self.words = defaultdict(set)"), texts, 3)
    sick = symptom("KeyError", "2", 11)
    texts = guided(keys.key_initialisation, source, sick, False)
    rank_of(source.replace("self.grid[row][col]", "self.grid.setdefault(row, {})[col]"), texts, 1)


# ---- swapped loop targets, a missing return, an f-string, guided by the error --------------------


def test_wrong_value_type_in_a_loop_over_pairs_swaps_its_targets_first() -> None:
    source = code(
        """
        def labels(prices):
            out = []
            for price, name in prices.items():
                out.append(name.upper() + ": " + str(price))
            return out
        """
    )
    sick = symptom("AttributeError", "'float' object has no attribute 'upper'", 4)
    texts = guided(loops.targets_for_symptom, source, sick)
    rank_of(source.replace("for price, name in", "for name, price in"), texts, 1)
    assert not guided(loops.targets_for_symptom, source, symptom("KeyError", "'x'", 4))


def test_none_used_as_a_value_returns_the_callee_result() -> None:
    source = code(
        """
        def parse(text):
            fields = {}
            for part in text.split(";"):
                name, _, value = part.partition("=")
                fields[name] = value


        def host(text):
            return parse(text)["host"]
        """
    )
    sick = symptom("TypeError", "'NoneType' object is not subscriptable", 9)
    texts = guided(returns.missing_return_for_symptom, source, sick)
    expected = source.replace(
        "        fields[name] = value\n", "        fields[name] = value\n    return fields\n"
    )
    rank_of(expected, texts, 1)


def test_an_assertion_showing_none_guides_to_the_functions_returning_nothing() -> None:
    source = code(
        """
        def total(xs):
            return sum(xs)


        def average(xs):
            mean = total(xs) / len(xs)


        def log(message):
            print(message)
        """
    )
    sick = symptom("AssertionError", "assert None == 2.5")  # raised in the test file
    texts = guided(returns.missing_return_for_symptom, source, sick)
    assert texts == [source.replace("len(xs)\n", "len(xs)\n    return mean\n")]
    assert not guided(returns.missing_return_for_symptom, source, symptom("AssertionError", ""))


def test_a_placeholder_shown_in_the_message_guides_to_its_literal() -> None:
    source = code(
        """
        def greet(name):
            greeting = "Hello, {name}!"
            return greeting
        """
    )
    sick = symptom("AssertionError", "assert 'Hello, {name}!' == 'Hello, Ada!'", 3)
    texts = guided(strings.fstrings_for_symptom, source, sick)
    rank_of(source.replace('"Hello, {name}!"', 'f"Hello, {name}!"'), texts, 1)
