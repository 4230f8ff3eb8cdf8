"""Structural operators: candidates from the code of a suspicious line and the function around it."""

from __future__ import annotations

from fixloop.repair import awaits, conditions, dates, loops, mutables, orderings, returns, strings

from .helpers import at_line, code, rank_of

# ---- mutable default arguments and class attributes --------------------------------------------


def test_mutable_default_becomes_none_and_a_fresh_value() -> None:
    source = code(
        """
        def add(item, bucket=[]):
            bucket.append(item)  # keep order
            return bucket
        """
    )
    expected = code(
        """
        def add(item, bucket=None):
            if bucket is None:
                bucket = []
            bucket.append(item)  # keep order
            return bucket
        """
    )
    rank_of(expected, at_line(mutables.mutable_defaults, source, 2), 1)


def test_mutable_default_after_a_docstring_and_keyword_only() -> None:
    source = code(
        '''
        def unique(items, *, seen=set(), limit=3):
            """Items not seen before."""
            fresh = [i for i in items if i not in seen]
            seen.update(fresh)
            return fresh[:limit]
        '''
    )
    expected = code(
        '''
        def unique(items, *, seen=None, limit=3):
            """Items not seen before."""
            if seen is None:
                seen = set()
            fresh = [i for i in items if i not in seen]
            seen.update(fresh)
            return fresh[:limit]
        '''
    )
    rank_of(expected, at_line(mutables.mutable_defaults, source, 4), 1)


def test_mutable_default_of_a_method_with_two_of_them() -> None:
    source = code(
        """
        class Log:
            def record(self, event, into={}, tags=list()):
                into[event] = tags
                return into
        """
    )
    texts = at_line(mutables.mutable_defaults, source, 3)
    first = source.replace("into={}", "into=None").replace(
        "        into[event]",
        "        if into is None:\n            into = {}\n        into[event]",
    )
    rank_of(first, texts, 1)
    assert len(texts) == 2


def test_class_attribute_moves_into_a_new_init() -> None:
    source = code(
        """
        class Cart:
            items = []

            def add(self, item):
                self.items.append(item)
        """
    )
    expected = code(
        """
        class Cart:

            def __init__(self):
                self.items = []

            def add(self, item):
                self.items.append(item)
        """
    )
    texts = at_line(mutables.mutable_class_attributes, source, 5)
    rank_of(expected, texts, 1)
    kept = source.replace(
        "    def add", "    def __init__(self):\n        self.items = []\n\n    def add"
    )
    rank_of(kept, texts, 2)


def test_class_attribute_moves_into_an_existing_init_of_a_subclass() -> None:
    source = code(
        """
        class Team(Base):
            members: list = []
            name = "team"

            def __init__(self, name):
                super().__init__()
                self.name = name

            def join(self, who):
                self.members.append(who)
        """
    )
    expected = code(
        """
        class Team(Base):
            name = "team"

            def __init__(self, name):
                self.members = []
                super().__init__()
                self.name = name

            def join(self, who):
                self.members.append(who)
        """
    )
    rank_of(expected, at_line(mutables.mutable_class_attributes, source, 10), 1)


def test_class_attribute_read_on_the_class_stays() -> None:
    source = code(
        """
        class Registry:
            entries = {}

            def __init__(self):
                pass

            def register(self, key, value):
                self.entries[key] = value
                return len(Registry.entries)
        """
    )
    texts = at_line(mutables.mutable_class_attributes, source, 8)
    assert texts == [source.replace("        pass", "        self.entries = {}\n        pass")]


def test_dataclass_default_becomes_a_factory() -> None:
    source = code(
        """
        from dataclasses import dataclass, field


        @dataclass
        class Basket:
            owner: str
            fruit: list = []

            def add(self, name):
                self.fruit.append(name)
        """
    )
    expected = source.replace("fruit: list = []", "fruit: list = field(default_factory=list)")
    rank_of(expected, at_line(mutables.mutable_class_attributes, source, 10), 1)


# ---- a result computed and never returned -------------------------------------------------------


def test_missing_return_of_the_local_computed_last() -> None:
    source = code(
        """
        def mean_square(xs):
            squares = []
            for x in xs:
                squares.append(x * x)
            result = sum(squares) / len(squares)
        """
    )
    texts = at_line(returns.missing_return, source, 5)
    rank_of(source + "    return result\n", texts, 1)
    assert source + "    return x\n" not in texts  # a loop target is not a result


def test_missing_return_of_a_dict_filled_in_a_loop() -> None:
    source = code(
        """
        def index(words):
            by_first = {}
            for word in words:  # the last one wins
                by_first[word[0]] = word
        """
    )
    texts = at_line(returns.missing_return, source, 4)
    rank_of(source + "    return by_first\n", texts, 1)


def test_bare_return_gets_the_value_and_a_returning_function_gets_nothing() -> None:
    source = code(
        """
        def total(prices, tax):
            amount = 0
            for price in prices:
                amount += price
            amount = amount * (1 + tax)
            return


        def fine(x):
            return x
        """
    )
    texts = at_line(returns.missing_return, source, 5)
    rank_of(source.replace("    return\n", "    return amount\n"), texts, 1)
    assert at_line(returns.missing_return, source, 10) == []


# ---- loop targets --------------------------------------------------------------------------------


def test_enumerate_items_and_zip_targets_swap() -> None:
    source = code(
        """
        def positions(xs, d, names, ages):
            where = {x: i for x, i in enumerate(xs)}
            for value, key in d.items():
                where[key] = value
            return [f"{n}={a}" for a, n in zip(names, ages)], where
        """
    )
    rank_of(
        source.replace("for x, i in", "for i, x in"), at_line(loops.targets_at_line, source, 2), 1
    )
    rank_of(
        source.replace("for value, key in", "for key, value in"),
        at_line(loops.targets_at_line, source, 4),
        1,
    )
    rank_of(
        source.replace("for a, n in", "for n, a in"), at_line(loops.targets_at_line, source, 5), 1
    )


# ---- initialisation inside or before a loop ------------------------------------------------------


def test_reset_inside_the_loop_moves_before_it() -> None:
    source = code(
        """
        def total(xs):
            for x in xs:
                acc = 0  # running sum
                acc += x
            return acc
        """
    )
    expected = code(
        """
        def total(xs):
            acc = 0  # running sum
            for x in xs:
                acc += x
            return acc
        """
    )
    rank_of(expected, at_line(loops.initialisations_at_line, source, 4), 1)


def test_reset_inside_a_while_loop_moves_before_it() -> None:
    source = code(
        """
        def drain(queue):
            while queue:
                seen = []
                seen.append(queue.pop())
            return seen
        """
    )
    expected = source.replace(
        "    while queue:\n        seen = []\n", "    seen = []\n    while queue:\n"
    )
    rank_of(expected, at_line(loops.initialisations_at_line, source, 4), 1)


def test_initialisation_before_an_outer_loop_moves_into_it() -> None:
    source = code(
        """
        def row_sums(grid):
            sums = []
            count = 0
            for row in grid:
                for cell in row:
                    count += cell
                sums.append(count)
            return sums
        """
    )
    expected = code(
        """
        def row_sums(grid):
            sums = []
            for row in grid:
                count = 0
                for cell in row:
                    count += cell
                sums.append(count)
            return sums
        """
    )
    rank_of(expected, at_line(loops.initialisations_at_line, source, 6), 1)


def test_a_list_handed_on_each_round_moves_into_the_loop() -> None:
    source = code(
        """
        def chunks(items):
            out = []
            current = []
            for item in items:
                current.append(item)
                out.append(current)
            return out
        """
    )
    expected = source.replace(
        "    current = []\n    for item in items:\n",
        "    for item in items:\n        current = []\n",
    )
    texts = at_line(loops.initialisations_at_line, source, 5)
    rank_of(expected, texts, 1)
    # `out` is filled in the loop but not handed on: it stays where it is.
    assert not any("    for item in items:\n        out = []" in t for t in texts)


# ---- ordering arguments --------------------------------------------------------------------------


def test_sorted_gets_reverse_and_sort_too() -> None:
    source = code(
        """
        def top(scores, n):
            ranked = sorted(scores)
            scores.sort()
            return ranked[:n]
        """
    )
    rank_of(
        source.replace("sorted(scores)", "sorted(scores, reverse=True)"),
        at_line(orderings.at_line, source, 2),
        1,
    )
    rank_of(
        source.replace("scores.sort()", "scores.sort(reverse=True)"),
        at_line(orderings.at_line, source, 3),
        1,
    )


def test_max_and_sorted_get_a_key() -> None:
    source = code(
        """
        def pick(words, pairs, counts):
            longest = max(words)
            by_value = sorted(pairs)
            common = max(counts.keys())
            return longest, by_value, common
        """
    )
    rank_of(
        source.replace("max(words)", "max(words, key=len)"),
        at_line(orderings.at_line, source, 2),
        4,
    )
    texts = at_line(orderings.at_line, source, 3)
    rank_of(source.replace("sorted(pairs)", "sorted(pairs, key=lambda x: x[1])"), texts, 2)
    texts = at_line(orderings.at_line, source, 4)
    rank_of(source.replace("max(counts.keys())", "max(counts.keys(), key=counts.get)"), texts, 2)


def test_a_present_key_or_reverse_is_dropped() -> None:
    source = code(
        """
        def order(names):
            return sorted(names, key=str.lower, reverse=True)
        """
    )
    texts = at_line(orderings.at_line, source, 2)
    rank_of(source.replace(", reverse=True", ""), texts, 1)
    rank_of(source.replace("key=str.lower, ", ""), texts, 2)


# ---- conditions ----------------------------------------------------------------------------------


def test_dropping_one_clause_of_a_chain_comes_before_adding_one() -> None:
    source = code(
        """
        def in_range(x, lo, hi, strict=False):
            if x >= lo and x <= hi and x != hi:
                return True
            return False
        """
    )
    texts = at_line(conditions.at_line, source, 2)
    dropped = rank_of(source.replace(" and x != hi", ""), texts, 3)
    added = texts.index(source.replace("x != hi:", "x != hi and not strict:"))
    assert dropped < added


def test_a_clause_over_a_flag_in_scope_is_added() -> None:
    source = code(
        """
        def can_edit(doc, user, is_admin=False):
            if doc.owner == user:
                return True
            return False
        """
    )
    texts = at_line(conditions.at_line, source, 2)
    rank_of(source.replace("doc.owner == user:", "doc.owner == user or is_admin:"), texts, 3)


def test_a_not_none_clause_and_a_dropped_clause_in_a_return() -> None:
    source = code(
        """
        def shown(title, subtitle=None):
            if title and subtitle != "":
                return title + (subtitle or "")
            return ""


        def visible(item, preview):
            return item.public or item.draft
        """
    )
    texts = at_line(conditions.at_line, source, 2)
    expected = source.replace('subtitle != "":', 'subtitle != "" and subtitle is not None:')
    rank_of(expected, texts, 5)
    texts = at_line(conditions.at_line, source, 8)
    rank_of(source.replace("item.public or item.draft", "item.public"), texts, 2)


# ---- f-strings, join separators, date format slips, awaits on a line -----------------------------


def test_fstring_prefix_on_the_pieces_that_name_variables() -> None:
    source = code(
        """
        def report(self, total, path):
            print("done " "total: {total} ({self.unit})")
            message = r"{path}\\n" + "{}".format(total)
            return "literal {braces}" + message
        """
    )
    texts = at_line(strings.fstrings_at_line, source, 2)
    assert texts == [source.replace('"done " "total', '"done " f"total')]
    texts = at_line(strings.fstrings_at_line, source, 3)
    assert texts == [source.replace('r"{path}', 'fr"{path}')]  # .format receivers stay
    assert at_line(strings.fstrings_at_line, source, 4) == []  # `braces` is not a name in scope


def test_join_separator_alternatives() -> None:
    source = code(
        """
        def csv_line(cells):
            return ",".join(cells)
        """
    )
    texts = at_line(strings.join_separators_at_line, source, 2)
    rank_of(source.replace('",".join', '", ".join'), texts, 1)
    rank_of(source.replace('",".join', '"\\n".join'), texts, 5)


def test_date_format_slips_on_a_line() -> None:
    source = code(
        """
        def stamp(moment):
            return moment.strftime("%Y-%M-%d")
        """
    )
    texts = at_line(dates.at_line, source, 2)
    rank_of(source.replace("%Y-%M-%d", "%Y-%m-%d"), texts, 1)


def test_await_on_a_line_only_for_this_file_coroutines() -> None:
    source = code(
        """
        async def save(item, db):
            db.append(item)


        async def save_all(items, db, log):
            for item in items:
                save(item, db)
                log.save(item)
        """
    )
    texts = at_line(awaits.at_line, source, 7)
    assert texts == [source.replace("        save(item, db)", "        await save(item, db)")]
    assert at_line(awaits.at_line, source, 8) == []


def test_crlf_files_stay_crlf_through_multi_part_edits() -> None:
    source = "def add(item, bucket=[]):\r\n    bucket.append(item)\r\n    return bucket\r\n"
    texts = at_line(mutables.mutable_defaults, source, 2)
    assert texts == [
        "def add(item, bucket=None):\r\n    if bucket is None:\r\n        bucket = []\r\n"
        "    bucket.append(item)\r\n    return bucket\r\n"
    ]
    source = "def total(xs):\r\n    for x in xs:\r\n        acc = 0\r\n        acc += x\r\n    return acc\r\n"
    texts = at_line(loops.initialisations_at_line, source, 4)
    assert texts[0] == (
        "def total(xs):\r\n    acc = 0\r\n    for x in xs:\r\n        acc += x\r\n    return acc\r\n"
    )
