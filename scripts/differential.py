#!/usr/bin/env python3
"""Differential test: `cronpp next` against cronsim and croniter on generated expressions.

Generates cron expressions (fixed seed; curated edge cases first), runs `cronpp next EXPR --json
--count N --from INSTANT --tz ZONE` for each at starts spread over 1975-2150 and around DST shifts
(UTC, America/New_York, Europe/Berlin, Australia/Lord_Howe), computes the same fire times with
cronsim and croniter (in the syntax each reads), and compares them over the span both cover.
Every fire time one side has and the other lacks must be accounted for by a named rule below: a
deliberate difference (DESIGN.md section 2) or a reference's own limit or bug, each listed in
man/differences.txt and man/cronpp-schedule.5 (DIFFERENCES). Anything else is an unexplained
disagreement and fails the run, as does a cronpp fire time its own expression does not allow.

    python3 scripts/differential.py --binary .build/debug/cronpp [--seed N] [--expressions N]
    python3 scripts/differential.py --case '30 2 * * *' America/New_York 2026-03-07T00:00:00Z
    python3 scripts/differential.py --list-rules > man/differences.txt

A new rule needs a name, a one-line explanation (regenerate man/differences.txt) and a test
that is as narrow as the difference: which reference, which kind of schedule, which instant.
Exit status: 0 when every disagreement is explained, 1 otherwise, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import functools
import json
import multiprocessing
import os
import random
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import cronsim
import croniter

UTC = dt.timezone.utc
ZONES = ["UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe"]
DST_ZONES = ZONES[1:]
FROM_YEARS = (1975, 2150)
# cronpp computes fire times from 1970 through 2199 (DESIGN.md section 2).
END_YEAR = 2199

# ---------------------------------------------------------------------------------------------
# A model of cronpp's semantics (DESIGN.md section 2), to decide whether a disagreement falls
# under a rule ("this instant matches", "under the OR rule", "with croniter's reading of a/n in
# day-of-week") and to check that each of cronpp's own fire times is one the expression allows.
# It matches instants; it does not search, so it is no third implementation of `next`.

RANGES = [(0, 59), (0, 59), (0, 23), (1, 31), (1, 12), (0, 7), (1970, 2199)]
SEC, MIN, HOUR, DOM, MON, DOW, YEAR = range(7)
MONTH_NAMES = {n: i + 1 for i, n in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split())}
DAY_NAMES = {n: i for i, n in enumerate("SUN MON TUE WED THU FRI SAT".split())}


@dataclass(frozen=True)
class Variant:
    """A reading of the syntax other than cronpp's, for the rules that name one."""

    dow_step_end: int = 7  # where `a/n` in day-of-week stops (croniter: 6)
    equal_range_is_field: bool = False  # croniter reads `a-a` as the whole field
    equal_range_step_to_end: bool = False  # cronsim reads `a-a/n` as `a/n`
    clamp_nearest_weekday: bool = False  # croniter reads `31W` in April as `30W`
    seven_step_from_zero: bool = False  # croniter reads `7/n` in day-of-week as `0/n`
    # Which schedules fire once at the end of a DST gap that skipped a match: "cronpp" (fixed
    # ones), "croniter" (any whose hour field is not every hour), "cronsim" (fixed 5-field ones).
    gap_rule: str = "cronpp"
    day_rule: str | None = None  # force "and" / "or" instead of the Vixie rule


class Model:
    def __init__(self, expr: str, variant: Variant = Variant()):
        words = expr.upper().split()
        self.nfields = len(words)
        self.texts = ["0"] + words + ["*"] if len(words) == 5 else words + ["*"] if len(words) == 6 else words
        self.variant = variant
        self.values: list[set[int]] = []
        self.dom_specials: list[tuple] = []
        self.dow_specials: list[tuple] = []
        for i, text in enumerate(self.texts):
            self.values.append(self._field(i, text))
        self.values[DOW] = {v % 7 for v in self.values[DOW]}
        star = lambda i: self.texts[i][0] in "*?"  # noqa: E731
        self.vixie_and = star(DOM) or star(DOW)
        self.day_and = self.vixie_and if variant.day_rule is None else variant.day_rule == "and"
        self.fixed = not (star(SEC) or star(MIN) or star(HOUR))
        self.gap_fires = {"cronpp": self.fixed, "croniter": len(self.values[HOUR]) < 24,
                          "cronsim": self.fixed and self.nfields == 5}[variant.gap_rule]

    def _value(self, i: int, token: str, range_end: bool) -> int:
        """A number or name; `SUN` ending a range that starts after Sunday is 7 (`FRI-SUN`, not `SUN-SUN`)."""
        names = MONTH_NAMES if i == MON else DAY_NAMES if i == DOW else {}
        if token in names:
            v = names[token]
            return 7 if i == DOW and range_end and v == 0 else v
        return int(token)

    def _field(self, i: int, text: str) -> set[int]:
        lo, hi = RANGES[i]
        out: set[int] = set()
        for item in text.split(","):
            if item == "?":
                out |= set(range(lo, hi + 1))
                continue
            if i == DOM and (m := re.fullmatch(r"L|LW|L-(\d+)|(\d+)W", item)):
                self.dom_specials.append(("LW",) if item == "LW" else ("W", int(m[2])) if m[2] else ("L", int(m[1] or 0)))
                continue
            if i == DOW and (m := re.fullmatch(r"(\w+)#(\d+)|(\w+)L", item)):
                self.dow_specials.append(("#", self._value(i, m[1], False) % 7, int(m[2])) if m[1] else ("L", self._value(i, m[3], False) % 7))
                continue
            base, _, step_text = item.partition("/")
            step = int(step_text) if step_text else 1
            if base == "*":
                a, b = lo, hi
            elif "-" in base:
                x, y = base.split("-")
                a = self._value(i, x, False)
                b = self._value(i, y, a > 0)
                if a == b and self.variant.equal_range_is_field:
                    a, b = lo, hi
                elif a == b and step_text and self.variant.equal_range_step_to_end:
                    b = hi
            else:
                a = self._value(i, base, False)
                b = (self.variant.dow_step_end if i == DOW else hi) if step_text else a
                if i == DOW and step_text and a == 7 and self.variant.seven_step_from_zero:
                    a = 0
            out |= set(range(a, b + 1, step))
        return out

    def dom_side(self, d: dt.date) -> bool:
        n = calendar.monthrange(d.year, d.month)[1]
        if d.day in self.values[DOM]:
            return True
        for s in self.dom_specials:
            if s[0] == "L" and d.day == n - s[1]:
                return True
            if s[0] == "LW" and d.day == last_weekday(d.year, d.month):
                return True
            if s[0] == "W" and d.day == nearest_weekday(d.year, d.month, min(s[1], n) if self.variant.clamp_nearest_weekday else s[1]):
                return True
        return False

    def dow_side(self, d: dt.date) -> bool:
        w = (d.weekday() + 1) % 7
        if w in self.values[DOW]:
            return True
        n = calendar.monthrange(d.year, d.month)[1]
        for s in self.dow_specials:
            if s[0] == "L" and w == s[1] and d.day + 7 > n:
                return True
            if s[0] == "#" and w == s[1] and (d.day + 6) // 7 == s[2]:
                return True
        return False

    def day_matches(self, d: dt.date) -> bool:
        if self.day_and:
            return self.dom_side(d) and self.dow_side(d)
        return self.dom_side(d) or self.dow_side(d)

    def matches(self, w: dt.datetime) -> bool:
        """Whether the wall time `w` (naive) matches, ignoring DST."""
        v = self.values
        return (w.second in v[SEC] and w.minute in v[MIN] and w.hour in v[HOUR] and w.month in v[MON]
                and w.year in v[YEAR] and self.day_matches(w.date()))


def last_weekday(y: int, m: int) -> int:
    n = calendar.monthrange(y, m)[1]
    w = calendar.weekday(y, m, n)  # 0 = Monday
    return n - 1 if w == 5 else n - 2 if w == 6 else n


def nearest_weekday(y: int, m: int, d: int) -> int | None:
    n = calendar.monthrange(y, m)[1]
    if d > n:
        return None
    w = calendar.weekday(y, m, d)
    if w == 5:
        return 3 if d == 1 else d - 1
    if w == 6:
        return d - 2 if d == n else d + 1
    return d


# ---------------------------------------------------------------------------------------------
# Zones: walls, passes and gaps of real instants.

_zones: dict[str, dt.tzinfo] = {}


def zone(name: str) -> dt.tzinfo:
    if name not in _zones:
        _zones[name] = UTC if name == "UTC" else ZoneInfo(name)
    return _zones[name]


def offset(t: int, z: str) -> int:
    return int(dt.datetime.fromtimestamp(t, zone(z)).utcoffset().total_seconds())


def wall(t: int, z: str) -> dt.datetime:
    return dt.datetime.fromtimestamp(t, zone(z)).replace(tzinfo=None)


SHIFTS = (1800, 3600, 7200)


def second_pass(t: int, z: str) -> int | None:
    """How far back the first pass of `t`'s wall time is, when `t` is on the second pass."""
    for d in SHIFTS:
        if offset(t - d, z) - offset(t, z) == d:
            return d
    return None


def first_pass(t: int, z: str) -> int | None:
    """How far ahead the second pass of `t`'s wall time is, when `t` is on the first pass."""
    for d in SHIFTS:
        if offset(t, z) - offset(t + d, z) == d:
            return d
    return None


def gap_end(t: int, z: str) -> tuple[dt.datetime, dt.datetime] | None:
    """The skipped wall interval [a, b) when `t` is the first instant after a spring-forward gap."""
    before, after = offset(t - 1, z), offset(t, z)
    if after <= before:
        return None
    return wall(t - 1, z) + dt.timedelta(seconds=1), wall(t, z)


def gap_matches(model: Model, t: int, z: str) -> bool:
    """Whether a wall time skipped by the gap ending at `t` matches (cronpp then fires at `t`)."""
    gap = gap_end(t, z)
    if gap is None:
        return False
    w, step = gap[0], dt.timedelta(seconds=1 if model.nfields > 5 else 60)
    while w < gap[1]:
        if model.matches(w):
            return True
        w += step
    return False


@functools.lru_cache(maxsize=None)
def transitions(z: str, year: int) -> list[int]:
    """Instants in `year` where the zone's offset changes."""
    start = int(dt.datetime(year, 1, 1, tzinfo=UTC).timestamp())
    out, t = [], start
    while t < start + 366 * 86400:
        if offset(t + 86400, z) != offset(t, z):
            lo, hi = t, t + 86400
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if offset(mid, z) == offset(lo, z) else (lo, mid)
            out.append(hi)
        t += 86400
    return out


# ---------------------------------------------------------------------------------------------
# Generated expressions: cronpp's syntax, weighted toward what people write and toward the
# hours DST shifts (0-3), with the day-field forms and names mixed in.


def pick(rng: random.Random, weighted):
    r = rng.random() * sum(w for w, _ in weighted)
    for w, f in weighted:
        r -= w
        if r <= 0:
            return f() if callable(f) else f
    return weighted[-1][1]() if callable(weighted[-1][1]) else weighted[-1][1]


def gen_numeric(rng: random.Random, lo: int, hi: int, favour=None, steps=(2, 3, 5, 10, 15, 20, 30)) -> str:
    def val():
        if favour and rng.random() < 0.5:
            return rng.choice(favour)
        return rng.randint(lo, hi)

    def rng_pair():
        a, b = sorted((val(), val()))
        while a == b and rng.random() < 0.8:  # equal ranges now and then, not half the time
            a, b = sorted((rng.randint(lo, hi), rng.randint(lo, hi)))
        return a, b

    def item():
        return pick(rng, [
            (5, lambda: str(val())),
            (2, lambda: "%d-%d" % rng_pair()),
            (1, lambda: "%d-%d/%d" % (*rng_pair(), rng.choice(steps))),
            (1, lambda: "%d/%d" % (val(), rng.choice(steps))),
        ])

    return pick(rng, [
        (3, "*"),
        (2, lambda: "*/%d" % rng.choice(steps + (1, 7, 45, 100))),
        (4, item),
        (2, lambda: ",".join(item() for _ in range(rng.randint(2, 3)))),
    ])


def gen_dom(rng: random.Random) -> str:
    return pick(rng, [
        (10, "*"),
        (6, lambda: gen_numeric(rng, 1, 31, favour=[1, 15, 28, 29, 30, 31], steps=(2, 3, 5, 7, 10))),
        (1.5, "L"),
        (1, "LW"),
        (1.5, lambda: "%dW" % rng.choice([1, 2, 15, 28, 30, 31, rng.randint(1, 31)])),
        (0.5, "?"),
    ])


def gen_month(rng: random.Random) -> str:
    names = list(MONTH_NAMES)
    return pick(rng, [
        (12, "*"),
        (5, lambda: gen_numeric(rng, 1, 12, favour=[1, 2, 3, 10, 11, 12], steps=(2, 3, 4, 6))),
        (2, lambda: rng.choice(names) if rng.random() < 0.5 else rng.choice(names).lower()),
        (1, lambda: "-".join(sorted(rng.sample(names, 2), key=names.index))),
        (0.5, lambda: ",".join(sorted(rng.sample(names, 3), key=names.index))),
    ])


def gen_dow(rng: random.Random) -> str:
    names = list(DAY_NAMES)
    return pick(rng, [
        (12, "*"),
        (4, lambda: gen_numeric(rng, 0, 7, steps=(2, 3, 4))),
        (2, lambda: rng.choice(["MON-FRI", "mon-fri", "SAT,SUN", "MON-SUN", "FRI-SUN", "SUN-SAT", "1-5", "0,6", "6,7", "1-7"])),
        (1, lambda: rng.choice(names)),
        (1, lambda: "%s-%s" % tuple(sorted(rng.sample(names, 2), key=names.index))),
        (1.5, lambda: "%dL" % rng.randint(0, 7)),
        (1.5, lambda: "%s#%d" % (rng.choice([str(rng.randint(0, 7)), rng.choice(names)]), rng.randint(1, 5))),
        (0.5, "?"),
    ])


def gen_expr(rng: random.Random) -> str:
    nfields = pick(rng, [(70, 5), (25, 6), (5, 7)])
    minute = gen_numeric(rng, 0, 59, favour=[0, 15, 30, 45, 59])
    hour = gen_numeric(rng, 0, 23, favour=[0, 1, 2, 3, 9, 23], steps=(2, 3, 4, 6, 8, 12))
    words = [minute, hour, gen_dom(rng), gen_month(rng), gen_dow(rng)]
    if rng.random() < 0.15 and words[2] not in ("*", "?") and words[4] != "*":
        words[4] = "*"  # keep plenty of plain AND schedules among the day-field forms
    if nfields >= 6:
        words.insert(0, pick(rng, [(3, "0"), (2, lambda: gen_numeric(rng, 0, 59, favour=[0, 30]))]))
    if nfields == 7:
        # croniter's year field ends at 2099: stay inside it.
        y = rng.randint(1975, 2090)
        words.append(pick(rng, [(2, "*"), (2, str(y)), (1, "%d-%d" % (y, min(2099, y + rng.randint(1, 20)))),
                                (1, "%d,%d" % (y, y + 3)), (1, "%d-2099/%d" % (y, rng.choice([2, 4, 10])))]))
    return " ".join(words)


# Edge cases always checked, whatever the seed: the decided cases of DESIGN.md section 2 and
# shapes that have broken cron implementations before.
CURATED = """
* * * * *
0 * * * *
30 2 * * *
0,30 2 * * *
30 1 * * *
*/15 1,2 * * *
0 2,3 * * *
15 2 * * *
45 1 * * *
0 0 * * SUN-SUN
0 0 * * 7-7
0 0 * * MON-SUN
0 0 * * FRI-SUN
0 0 * * 1/2
0 0 * * SAT-SUN/2
0 0 */2 * MON
0 0 1 * MON#2
0 0 15W * MON
0 0 31W * *
0 0 1W * *
0 0 LW * *
0 0 L * *
0 0 L 2 *
0 0 29 2 *
0 0 29 2 1
0 0 31 * 5L
0 12 * * 5#5
0 0 1 JAN-JAN *
0 0 1 OCT-OCT *
5-5 * * * *
*/60 * * * *
0 */25 * * *
0 0 30 */2 *
0 0 1 1 *
0 0 0 29 2 1 2096
0 30 2 * * *
0 30 1 * * *
*/30 */30 1 * * *
"""


# ---------------------------------------------------------------------------------------------
# Running the three implementations.


@dataclass
class Case:
    expr: str
    zone: str
    start: int  # Unix seconds; fire times are strictly after it


@dataclass
class Outcome:
    fires: list[int] = field(default_factory=list)
    ended: bool = False  # gave no more fire times after these (reference gave up, or range ends)
    rejected: str | None = None  # the error, when the expression was refused outright


def run_ours(binary: str, case: Case, count: int) -> Outcome:
    start = dt.datetime.fromtimestamp(case.start, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    argv = [binary, "next", case.expr, "--json", "--count", str(count), "--from", start, "--tz", case.zone]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    if p.returncode == 2:
        return Outcome(rejected=p.stderr.strip().splitlines()[0] if p.stderr.strip() else "exit 2", ended=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: exit {p.returncode}: {p.stderr.strip()}")
    out = []
    for text in json.loads(p.stdout):
        t = dt.datetime.fromisoformat(text)
        stamp = int(t.timestamp())
        # The printed offset must be the zone's offset at that instant.
        if int(t.utcoffset().total_seconds()) != offset(stamp, case.zone):
            raise RuntimeError(f"{' '.join(argv)}: {text} does not carry {case.zone}'s offset")
        out.append(stamp)
    return Outcome(out, ended=len(out) < count)


def cronsim_syntax(expr: str) -> str | None:
    """Why cronsim cannot read `expr` (syntax it lacks), or None."""
    words = expr.split()
    if len(words) == 7:
        return "7 fields"
    dom, dow = words[-3], words[-1]
    if "?" in expr:
        return "?"
    if re.search(r"\d+W", dom):
        return "nW"
    if re.search(r"(^|,)[A-Za-z]{3}L", dow):
        return "named nL"
    for item in dow.split(","):
        # cronsim reads SUN as 0 everywhere, so a range ending in SUN runs backwards.
        if re.match(r"\w+-SUN", item, re.I) and not re.match(r"SUN-SUN", item, re.I):
            return "range ending in SUN"
    return None


def run_cronsim(case: Case, count: int) -> Outcome:
    start = dt.datetime.fromtimestamp(case.start, zone(case.zone))
    try:
        it = cronsim.CronSim(case.expr, start)
    except cronsim.CronSimError as e:
        return Outcome(rejected=f"CronSimError: {e}", ended=True)
    out = Outcome()
    for _ in range(count):
        try:
            out.fires.append(int(next(it).timestamp()))
        except StopIteration:
            out.ended = True
            break
    return out


def croniter_syntax(expr: str) -> str | None:
    """Why croniter cannot read `expr` (syntax it lacks), or None."""
    words = expr.split()
    dom, dow = words[-3 if len(words) < 7 else -4], words[-1 if len(words) < 7 else -2]
    if "LW" in dom.upper():
        return "LW"
    if re.search(r"\d+W", dom, re.I) and "," in dom:
        return "nW in a list"
    items = dow.upper().split(",")
    specials = [i for i in items if "#" in i or i.endswith("L")]
    if specials and len(specials) != len(items) and "*" not in items:
        return "n#k/nL mixed with plain weekdays"
    if re.search(r"[A-Z]{3}L", dow.upper()):
        return "named nL"
    if re.search(r"\d+W", dom, re.I) and specials:
        return "nW with n#k"
    return None


def croniter_expr(expr: str) -> str:
    """Our spelling in croniter's: `nL` (last such weekday) is written `Ln` there."""
    words = expr.split()
    i = -1 if len(words) < 7 else -2
    words[i] = ",".join(re.sub(r"^(\d)L$", r"L\1", item, flags=re.I) for item in words[i].split(","))
    return " ".join(words)


def run_croniter(case: Case, count: int) -> Outcome:
    start = dt.datetime.fromtimestamp(case.start, zone(case.zone))
    try:
        it = croniter.croniter(croniter_expr(case.expr), start, day_or=True, second_at_beginning=True)
    except croniter.CroniterError as e:
        return Outcome(rejected=f"{type(e).__name__}: {e}", ended=True)
    out = Outcome()
    for _ in range(count):
        try:
            out.fires.append(int(it.get_next(dt.datetime).timestamp()))
        except croniter.CroniterBadDateError:
            out.ended = True
            break
    return out


# ---------------------------------------------------------------------------------------------
# Explained differences. Each rule names one deliberate difference (or a reference's known
# limit or bug), says it in one line (the line man/differences.txt carries), and decides, for
# one fire time that one side has and the other lacks, whether it accounts for it. Anything no
# rule accounts for is an unexplained disagreement.
#
# Two kinds: a *reading* rule is a way the reference reads the syntax (a `Variant` of the
# model); a fire time is put down to the readings without which the reference's reading would
# agree with cronpp's there, so several readings can combine. A *predicate* rule (DST, search
# limits) decides from the instant itself.


@dataclass
class Ctx:
    case: Case
    model: Model
    ref_model: Model  # the reference's reading of the syntax, all its reading rules applied
    ours: Outcome
    ref: Outcome

    def wall(self, t: int) -> dt.datetime:
        return wall(t, self.case.zone)

    def matches(self, t: int) -> bool:
        """Matches in cronpp's reading or the reference's."""
        return self.model.matches(self.wall(t)) or self.ref_model.matches(self.wall(t))


@dataclass
class Rule:
    name: str
    refs: tuple[str, ...]
    text: str
    # Predicate rules: (ctx, kind, t) -> bool, kind "extra" (the reference only has t),
    # "missing" (cronpp only has t) or "rejected" (the reference refused the expression).
    explains: object = None
    # Reading rules: the Variant fields that make up the reading.
    reading: dict | None = None


RULES: list[Rule] = []
BOTH = ("cronsim", "croniter")


def rule(name: str, refs: tuple[str, ...], text: str):
    def register(fn):
        RULES.append(Rule(name, refs, text, explains=fn))
        return fn
    return register


def reading(name: str, refs: tuple[str, ...], text: str, **fields):
    RULES.append(Rule(name, refs, text, reading=fields))


def fires_at(m: Model, t: int, z: str) -> bool:
    """Whether a schedule read as `m` fires at `t`: it matches, or `t` ends a DST gap that
    skipped a matching wall time and the reading fires those (cronpp: fixed schedules)."""
    return m.matches(wall(t, z)) or (m.gap_fires and gap_matches(m, t, z))


def reading_explanation(c: Ctx, refname: str, kind: str, t: int | None) -> str | None:
    """The reading rules that account for `t` (a minimal set, joined with `+`), or None."""
    if t is None or kind not in ("extra", "missing"):
        return None
    z = c.case.zone
    theirs, ours = fires_at(c.ref_model, t, z), fires_at(c.model, t, z)
    if theirs == ours or theirs != (kind == "extra"):
        return None
    applied = [r for r in RULES if r.reading and refname in r.refs
               and all(getattr(c.ref_model.variant, f) == v for f, v in r.reading.items())]
    # Drop the readings the difference does not need, one at a time: what is left is a
    # minimal set of readings that, on top of cronpp's, puts the fire time where the reference has it.
    kept = list(applied)
    for r in applied:
        trial = [k for k in kept if k is not r]
        fields = {f: v for k in trial for f, v in k.reading.items()}
        if fires_at(Model(c.case.expr, Variant(**fields)), t, z) == theirs:
            kept = trial
    return "+".join(r.name for r in kept) or None


def ref_model(refname: str, expr: str) -> Model:
    fields: dict = {}
    for r in RULES:
        if r.reading and refname in r.refs and r.reading.get("day_rule") is None:
            fields.update(r.reading)
    if refname == "croniter":
        # croniter decides AND/OR on its expanded fields: OR unless one of them expanded to `*`.
        try:
            expanded, _ = croniter.croniter.expand(croniter_expr(expr), second_at_beginning=True)
            if expanded[2][0] != "*" and expanded[4][0] != "*":
                fields["day_rule"] = "or"
        except croniter.CroniterError:
            pass
    return Model(expr, Variant(**fields))


# Reading rules.

reading("croniter-star-step-day-or", ("croniter",),
        "croniter applies the OR rule when a day field starting with `*` is not plain `*` (`*/2`, `*/1`); "
        "cronpp follows Vixie cron: a day field starting with `*` makes the two day fields AND.",
        day_rule="or")
reading("croniter-weekday-step-end", ("croniter",),
        "croniter's day-of-week ends at 6, so `a/n` never reaches Sunday as 7 (`1/2` is 1,3,5); "
        "cronpp runs `a/n` to 7 (`1/2` is 1,3,5,7).",
        dow_step_end=6)
reading("croniter-sunday-seven-step", ("croniter",),
        "croniter reads `7/n` in day-of-week as `0/n` (Sunday, then every n days); "
        "cronpp reads it as 7 alone, since `a/n` runs from a to the field's end (7).",
        seven_step_from_zero=True)
reading("croniter-equal-range", ("croniter",),
        "croniter reads an equal range (`5-5`, `JAN-JAN`, `SUN-SUN`, also with a step) as the whole field; "
        "cronpp reads it as that one value.",
        equal_range_is_field=True)
reading("croniter-nearest-weekday-past-month-end", ("croniter",),
        "croniter moves `nW` for a day the month lacks to the month's last day (`31W` in April acts as `30W`); "
        "cronpp does not fire that month, as with plain `31`.",
        clamp_nearest_weekday=True)
reading("croniter-gap-hour-only", ("croniter",),
        "croniter decides from the hour field alone whether a wall time skipped by a spring-forward gap fires "
        "once after the gap: it does unless the hour field covers all 24 hours, so `*/15 2 * * *` and "
        "`0 */2 * * *` fire there; cronpp fires skipped times only for fixed schedules "
        "(none of second, minute, hour starts with `*`).",
        gap_rule="croniter")
reading("cronsim-6-field-dst", ("cronsim",), "", gap_rule="cronsim")
reading("cronsim-equal-range-step", ("cronsim",),
        "cronsim reads an equal range with a step (`3-3/2`) as a start with a step (`3/2`, to the field's end); "
        "cronpp reads it as the one value.",
        equal_range_step_to_end=True)


# Predicate rules, tried in order after the readings.


@rule("range-end-2199", BOTH,
      "cronpp computes fire times from 1970 through 2199 only; the references go on past 2199.")
def _(c: Ctx, kind, t):
    return kind == "extra" and c.wall(t).year > END_YEAR


@rule("reference-50-year-search", BOTH,
      "cronsim and croniter give up when no fire falls within 50 years of the previous one; cronpp searches to 2199.")
def _(c: Ctx, kind, t):
    if kind != "missing" or not c.ref.ended:
        return False
    last = max(c.ref.fires, default=c.case.start)
    following = [f for f in c.ours.fires if f > last]
    return bool(following) and t >= following[0] and c.wall(following[0]).year - c.wall(last).year > 50


@rule("croniter-special-day-or", ("croniter",),
      "under the OR rule croniter lets `n#k`, `nL` (its `Ln`) and `nW` stand alone and drops the other day field "
      "(and finds nothing when the two never coincide within 50 years); cronpp fires on days matching either field.")
def _(c: Ctx, kind, t):
    m = c.model
    if kind != "missing" or m.day_and or not (m.dow_specials or any(s[0] == "W" for s in m.dom_specials)):
        return False
    if c.ref.ended and not c.ref.fires:
        # croniter first searches the days matching both fields, and gives up when there are none.
        return not fields_coincide(c.case.expr, wall(c.case.start, c.case.zone).date())
    d = c.wall(t).date()
    return (m.dom_side(d) and not m.dow_side(d)) if m.dow_specials else (m.dow_side(d) and not m.dom_side(d))


@functools.lru_cache(maxsize=64)
def fields_coincide(expr: str, first: dt.date) -> bool:
    """Whether some day within 51 years of `first` matches both day fields (and month and year)."""
    m = Model(expr)
    days = (first + dt.timedelta(days=i) for i in range(51 * 366))
    return any(d.month in m.values[MON] and d.year in m.values[YEAR] and m.dom_side(d) and m.dow_side(d) for d in days)


@rule("croniter-repeated-hour-twice", ("croniter",),
      "croniter fires a fixed wall time in a repeated (fall-back) hour on both passes; "
      "cronpp fires it once, on the first pass.")
def _(c: Ctx, kind, t):
    return kind == "extra" and c.model.fixed and second_pass(t, c.case.zone) is not None and c.matches(t)


@rule("croniter-half-hour-repeat", ("croniter",),
      "croniter skips the second pass of a 30-minute fall-back (Australia/Lord_Howe) for wildcard schedules; "
      "cronpp fires a wildcard schedule at every real instant that matches, both passes included.")
def _(c: Ctx, kind, t):
    return kind == "missing" and not c.model.fixed and second_pass(t, c.case.zone) == 1800 and c.matches(t)


@rule("croniter-gap-keeps-seconds", ("croniter",),
      "croniter moves a wall time skipped by a spring-forward gap forward in whole minutes, so a time with "
      "seconds fires that many seconds after the gap (`4 30 2 * * *` at 03:00:04); cronpp fires at the gap's first instant (03:00:00).")
def _(c: Ctx, kind, t):
    z, m = c.case.zone, c.ref_model
    if m.nfields == 5 or not m.gap_fires:
        return False
    gap_start = t if kind == "missing" else next((s for s in range(t, t - 60, -1) if gap_end(s, z)), None)
    if gap_start is None or not gap_matches(m, gap_start, z):
        return False
    first = first_gap_match(m, gap_start, z)
    return first.second > 0 and (t == gap_start if kind == "missing" else t == gap_start + first.second)


def first_gap_match(m: Model, t: int, z: str) -> dt.datetime:
    w, end = gap_end(t, z)
    while not m.matches(w):
        w += dt.timedelta(seconds=1)
    return w


@rule("cronsim-6-field-dst", ("cronsim",),
      "cronsim applies Debian's DST handling only to 5-field expressions: a fixed 6-field schedule "
      "skips wall times in a gap and fires repeated ones on both passes; cronpp treats every fixed schedule alike.")
def _(c: Ctx, kind, t):
    # The gap half is the reading below; this is the repeated-hour half.
    return (kind == "extra" and c.model.nfields == 6 and c.model.fixed
            and second_pass(t, c.case.zone) is not None and c.matches(t))


@rule("cronsim-start-in-second-pass", ("cronsim",),
      "cronsim started inside the second pass of a repeated hour returns that hour's remaining wall times "
      "on the first pass, before the start; cronpp returns only fire times after the start.")
def _(c: Ctx, kind, t):
    z = c.case.zone
    return (kind == "extra" and t <= c.case.start and c.model.fixed and c.model.nfields == 5
            and second_pass(c.case.start, z) is not None and first_pass(t, z) is not None and c.matches(t))


@rule("cronsim-half-hour-shift", ("cronsim",),
      "cronsim moves its cursor in real time by wall-clock differences, so after a 30-minute shift "
      "(Australia/Lord_Howe) it lands half an hour off and misses fire times in the first matching hour after the shift; "
      "cronpp does not.")
def _(c: Ctx, kind, t):
    z, m = c.case.zone, c.model
    if kind != "missing" or (m.fixed and m.nfields == 5):
        return False  # cronsim walks fixed 5-field schedules in wall time, where this cannot happen
    w = c.wall(t)
    for y in (w.year - 1, w.year):
        for s in transitions(z, y):
            if abs(offset(s, z) - offset(s - 1, z)) == 1800 and s <= t < s + 26 * 3600:
                if (w.date(), w.hour) in (misaligned_hour(m, s, z), first_matching_hour(m, s, z)):
                    return True
    return False


def misaligned_hour(m: Model, shift: int, z: str) -> tuple[dt.date, int] | None:
    """The wall hour cronsim's hour loop reaches at half past after a 30-minute `shift`: the
    first matching hour left that day, else midnight next day (the loop stops at hour 0)."""
    w = wall(shift, z)
    day_ok = lambda d: d.month in m.values[MON] and d.year in m.values[YEAR] and m.day_matches(d)  # noqa: E731
    if not day_ok(w.date()):
        return None
    hour = next((h for h in range(w.hour, 24) if h in m.values[HOUR]), None)
    if hour is not None:
        return w.date(), hour
    nxt = w.date() + dt.timedelta(days=1)
    return (nxt, 0) if 0 in m.values[HOUR] and day_ok(nxt) else None


def first_matching_hour(m: Model, shift: int, z: str) -> tuple[dt.date, int] | None:
    """The wall hour of the first matching real instant at or after `shift` (within 26 hours)."""
    step = 1 if m.nfields > 5 else 60
    for t in range(shift, shift + 26 * 3600, step):
        if m.matches(wall(t, z)):
            return wall(t, z).date(), wall(t, z).hour
    return None


def explain(c: Ctx, refname: str, kind: str, t: int | None) -> str | None:
    name = reading_explanation(c, refname, kind, t)
    if name:
        return name
    return next((r.name for r in RULES if r.explains and refname in r.refs and r.explains(c, kind, t)), None)


def differences(ours: Outcome, ref: Outcome) -> list[tuple[str, int | None]]:
    if ours.rejected and (ref.rejected or not ref.fires):
        return []
    if ref.rejected and ours.fires:
        return [("rejected", None)]
    inf = float("inf")
    horizon = min(inf if ours.ended else ours.fires[-1], inf if ref.ended else ref.fires[-1])
    a, b = set(ours.fires), set(ref.fires)
    return ([("extra", t) for t in ref.fires if t <= horizon and t not in a]
            + [("missing", t) for t in ours.fires if t <= horizon and t not in b])


# ---------------------------------------------------------------------------------------------
# Driving it.


def make_cases(rng: random.Random, expr: str, every_shift: bool = False) -> list[Case]:
    """A start anywhere in 1975-2150 in any zone, then one shortly before (or inside the second
    pass of) a DST shift; with `every_shift`, starts around both shifts of a year in each DST zone."""
    lo = int(dt.datetime(FROM_YEARS[0], 1, 1, tzinfo=UTC).timestamp())
    hi = int(dt.datetime(FROM_YEARS[1], 12, 31, tzinfo=UTC).timestamp())
    t = rng.randint(lo, hi)
    t -= t % pick(rng, [(3, 3600), (3, 60), (1, 1)])
    cases = [Case(expr, rng.choice(ZONES), t)]
    for z in DST_ZONES if every_shift else [rng.choice(DST_ZONES)]:
        shifts = []
        while not shifts:
            shifts = transitions(z, rng.randint(*FROM_YEARS))
        for shift in shifts if every_shift else [rng.choice(shifts)]:
            repeat = offset(shift - 1, z) - offset(shift, z)
            starts = [shift - rng.randint(1, 26 * 3600)]
            if repeat > 0 and (every_shift or rng.random() < 0.3):
                starts = starts[every_shift:] + [shift + rng.randint(0, repeat - 1)]  # inside the second pass
            if every_shift:
                starts.append(shift - 3 * 3600 - 60 * rng.randint(0, 59))
            for start in starts:
                cases.append(Case(expr, z, start - start % pick(rng, [(3, 60), (1, 1)])))
    return cases


@dataclass
class Finding:
    ref: str
    case: Case
    kind: str
    t: int | None
    rule: str | None
    note: str = ""


def check(job) -> tuple[str, list[Finding], list[str]]:
    """Runs one expression's cases; returns the expression, every difference found, skipped references."""
    binary, expr, cases, count = job
    findings, skipped = [], []
    model = Model(expr)
    for case in cases:
        try:
            ours = run_ours(binary, case, count)
        except (RuntimeError, ValueError, subprocess.TimeoutExpired, OSError) as e:
            findings.append(Finding("cronpp", case, "error", None, None, str(e).splitlines()[0]))
            continue
        findings += [Finding("cronpp", case, "inconsistent", t, None) for t in inconsistent(model, case, ours)]
        for refname, syntax, run in (("cronsim", cronsim_syntax, run_cronsim), ("croniter", croniter_syntax, run_croniter)):
            why = syntax(expr)
            if why:
                skipped.append(f"{refname}: {why}")
                continue
            ref = run(case, count)
            ctx = Ctx(case, model, ref_model(refname, expr), ours, ref)
            for kind, t in differences(ours, ref):
                name = explain(ctx, refname, kind, t)
                findings.append(Finding(refname, case, kind, t, name, ref.rejected or ""))
    return expr, findings, skipped


def inconsistent(m: Model, case: Case, ours: Outcome) -> list[int]:
    """cronpp's fire times that break its own rules (DESIGN.md section 2), whatever the references say:
    each matches (or ends a gap that skipped a match, for a fixed schedule), and a fixed
    schedule never fires on the second pass of a repeated hour."""
    z = case.zone
    return [t for t in ours.fires
            if t <= case.start or not fires_at(m, t, z) or (m.fixed and second_pass(t, z) is not None)
            or (not m.fixed and not m.matches(wall(t, z)))]


def describe(f: Finding) -> str:
    z = f.case.zone
    start = dt.datetime.fromtimestamp(f.case.start, zone(z)).isoformat()
    when = dt.datetime.fromtimestamp(f.t, zone(z)).isoformat() if f.t is not None else ""
    what = {"extra": f"{f.ref} fires {when}, cronpp does not",
            "missing": f"cronpp fires {when}, {f.ref} does not",
            "rejected": f"{f.ref} refuses it ({f.note}), cronpp fires",
            "inconsistent": f"cronpp fires {when}, which the expression does not allow",
            "error": f"cronpp failed: {f.note}"}[f.kind]
    return f"  {f.case.expr!r} --tz {z} --from {start}: {what}"


def documented_rules() -> list[Rule]:
    """The rules in man/differences.txt order: both references, then croniter, then cronsim."""
    group = lambda r: 0 if len(r.refs) > 1 else 1 if r.refs == ("croniter",) else 2  # noqa: E731
    return sorted((r for r in RULES if r.text), key=group)


def undocumented_rules() -> list[str]:
    """Rule names that neither man/differences.txt nor man/cronpp-schedule.5 mentions."""
    man = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "man")
    text = ""
    for name in ("differences.txt", "cronpp-schedule.5"):
        try:
            text += open(os.path.join(man, name), encoding="utf-8").read()
        except OSError:
            pass
    return [r.name for r in RULES if r.name not in text]


def show_case(binary: str, expr: str, z: str, start: str, count: int) -> int:
    case = Case(expr, z, int(dt.datetime.fromisoformat(start.replace("Z", "+00:00")).timestamp()))
    ours = run_ours(binary, case, count)
    columns = {"cronpp": ours}
    for refname, syntax, run in (("cronsim", cronsim_syntax, run_cronsim), ("croniter", croniter_syntax, run_croniter)):
        columns[refname] = Outcome(rejected=f"skipped: {syntax(expr)}") if syntax(expr) else run(case, count)
    for name, o in columns.items():
        shown = [dt.datetime.fromtimestamp(t, zone(z)).isoformat() for t in o.fires]
        print(f"{name:9} {o.rejected or ''}{' '.join(shown)}{' (ended)' if o.ended and not o.rejected else ''}")
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--binary", default=".build/debug/cronpp", help="the cronpp executable")
    p.add_argument("--seed", type=int, default=20261125, help="random seed (default: %(default)s)")
    p.add_argument("--expressions", type=int, default=1200,
                   help="expressions checked, the curated edge cases included (default: %(default)s)")
    p.add_argument("--count", type=int, default=10, help="fire times compared per case (default: %(default)s)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="parallel workers (default: cores)")
    p.add_argument("--show", type=int, default=20, help="unexplained disagreements to print (default: %(default)s)")
    p.add_argument("--list-rules", action="store_true", help="print the explained classes (man/differences.txt) and exit")
    p.add_argument("--case", nargs=3, metavar=("EXPR", "ZONE", "FROM"),
                   help="show one case side by side (FROM in RFC 3339) and exit")
    args = p.parse_args()
    if args.list_rules:
        for r in documented_rules():
            print(f"{r.name} — {r.text}")
        return 0
    if not os.access(args.binary, os.X_OK):
        print(f"differential: {args.binary} is not an executable; build it with 'swift build'", file=sys.stderr)
        return 2
    if args.case:
        return show_case(args.binary, *args.case, args.count)

    rng = random.Random(args.seed)
    exprs = [e.strip() for e in CURATED.strip().splitlines()]
    seen = set(exprs)
    while len(exprs) < args.expressions:
        e = gen_expr(rng)
        if cronsim_syntax(e) and croniter_syntax(e):
            continue  # neither reference reads it
        if e not in seen:
            seen.add(e)
            exprs.append(e)
    curated = len(CURATED.strip().splitlines())
    jobs = [(args.binary, e, make_cases(rng, e, every_shift=i < curated), args.count) for i, e in enumerate(exprs)]

    with multiprocessing.Pool(args.jobs) as pool:
        results = pool.map(check, jobs, chunksize=8)

    explained = {"cronsim": Counter(), "croniter": Counter()}
    unexplained: list[Finding] = []
    failed_exprs = set()
    skipped = Counter()
    for expr, findings, skips in results:
        skipped.update(skips)
        for f in findings:
            if f.rule:
                explained[f.ref][f.rule] += 1
            else:
                unexplained.append(f)
                failed_exprs.add(expr)

    for f in unexplained[: args.show]:
        print(describe(f))
    if len(unexplained) > args.show:
        print(f"  ... and {len(unexplained) - args.show} more")
    if unexplained:
        print("  (side by side: python3 scripts/differential.py --binary BINARY --case EXPR ZONE FROM)")
    for ref in explained:
        for name, n in sorted(explained[ref].items()):
            print(f"explained ({ref}): {name}: {n} fire times")
    for why, n in sorted(skipped.items()):
        print(f"skipped: {why}: {n} cases")
    for name in undocumented_rules():
        print(f"differential: warning: rule {name} is not in man/differences.txt or man/cronpp-schedule.5 "
              "(python3 scripts/differential.py --list-rules)", file=sys.stderr)
    print(f"differential: {len(exprs)} expressions, {len(unexplained)} unexplained disagreements "
          f"(cronsim: {sum(explained['cronsim'].values())} explained, croniter: {sum(explained['croniter'].values())} explained)")
    print(f"{len(exprs) - len(failed_exprs)} passed, {len(failed_exprs)} failed")
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
