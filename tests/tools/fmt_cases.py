#!/usr/bin/python3
"""fmt_cases.py -- cases for the agent's number and time formatters
(tests/unit/test_fmt.c), with Python's own answers:

  R <bits> <text>    json.dumps(float) of the double with these bits (hex)
  P <text> <bits>    float(text): the correctly rounded double
  T <seconds> <text> the UTC time as "YYYY-MM-DDTHH:MM:SSZ"

Usage: fmt_cases.py SEED COUNT. Random doubles of every exponent, short
decimals, integers, subnormals, the halfway points between neighbouring
doubles (exactly, and just below and above them), 17 and more
significant digits, inputs of over 800 digits, huge exponents.
"""
import datetime
import json
import math
import random
import struct
import sys
from decimal import Decimal, getcontext

getcontext().prec = 2000


def bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def from_bits(b):
    return struct.unpack("<d", struct.pack("<Q", b))[0]


def rand_double(rng):
    k = rng.random()
    if k < 0.5:
        return from_bits(rng.getrandbits(64))
    if k < 0.6:         # subnormal or near the smallest normal
        return from_bits((rng.getrandbits(1) << 63) | rng.getrandbits(54))
    if k < 0.7:         # short decimals
        return float("%de%d" % (rng.randint(1, 99999), rng.randint(-330, 310)))
    if k < 0.8:         # integers, powers of two and ten
        c = rng.randint(0, 3)
        if c == 0:
            return float(rng.randint(0, 10 ** rng.randint(1, 22)))
        if c == 1:
            return math.ldexp(1.0, rng.randint(-1074, 1023))
        return float("1e%d" % rng.randint(-323, 308))
    if k < 0.9:         # the same exponent with the last bits varied
        return from_bits((rng.randint(0, 0x7fe) << 52) | rng.choice(
            [0, 1, 2, (1 << 52) - 1, rng.getrandbits(8)]))
    return rng.uniform(-1e6, 1e6)


def fmt_dec(d, rng):
    """Decimal d as text in one of several forms."""
    c = rng.randint(0, 2)
    if c == 0:
        return format(d, "E")
    if c == 1:
        return format(d, "e").replace("e", "e" if rng.random() < .5 else "E")
    s = format(d, "f")
    return s if len(s) < 1500 else format(d, "e")


def parse_text(rng):
    k = rng.random()
    if k < 0.2:
        x = rand_double(rng)
        if math.isnan(x) or math.isinf(x):
            x = 1.5
        return rng.choice([repr(x), "%.17g" % x, "%.25e" % x, "%.16e" % x])
    if k < 0.45:        # random digits, random exponent
        n = rng.randint(1, 40)
        dig = "".join(rng.choice("0123456789") for _ in range(n))
        p = rng.randint(0, n)
        s = dig[:p] + ("." if rng.random() < .5 else "") + dig[p:]
        if s in (".", ""):
            s = "0"
        if s.startswith(".") and rng.random() < .5:
            s = "0" + s
        if s.endswith(".") and rng.random() < .5:
            s += "0"
        if rng.random() < .8:
            s += rng.choice("eE") + rng.choice(["", "+", "-"]) + \
                str(rng.randint(0, 340))
        return rng.choice(["", "-", "+"]) + s
    # halfway between two neighbours, or just below or above it
    x = abs(rand_double(rng))
    if math.isnan(x) or math.isinf(x):
        x = 1.0
    y = math.nextafter(x, math.inf)
    if math.isinf(y):
        y_d = Decimal(2) ** 1024
    else:
        y_d = Decimal(y)
    mid = (Decimal(x) + y_d) / 2
    s = fmt_dec(mid, rng)
    c = rng.randint(0, 4)
    if c == 1:          # just above: a digit 1 far out
        m, e = (s.split("E") + ["0"])[:2] if "E" in s else \
            (s.split("e") + ["0"])[:2] if "e" in s else (s, "0")
        if "." not in m:
            m += "."
        m += "0" * rng.randint(0, 900) + "1"
        s = m + "e" + e
    elif c == 2:        # just below
        s = fmt_dec(mid - Decimal(10) ** (mid.adjusted() - rng.randint(20, 900)), rng)
    if rng.random() < .5:
        s = "-" + s
    return s


def main():
    seed, count = int(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    out = sys.stdout
    fixed = [0.0, -0.0, 1.0, 100000.0, 1e16, 1e15, 1.5e300, 5e-324,
             1e-4, 1e-5, 0.1, 2.0 ** 1023 * (2 - 2 ** -52), 2.0 ** -1022,
             math.inf, -math.inf, math.nan, 9007199254740993.0, 123456.789]
    for x in fixed + [rand_double(rng) for _ in range(count)]:
        out.write("R %016x %s\n" % (bits(x), json.dumps(x)))
    ptexts = ["0", "-0", "1e400", "-1e400", "1e-400", "2.4703282292062327e-324",
              "2.4703282292062328e-324", "4.9406564584124654e-324",
              "1.7976931348623158e308", "1.7976931348623157e308",
              "1.797693134862315807e308", "0.000000000000000000000000001e30",
              "9007199254740993", "9007199254740992.5", "1" * 820 + "e-400",
              "0." + "0" * 330 + "1", "123456789012345678901234567890"]
    for s in ptexts + [parse_text(rng) for _ in range(count)]:
        out.write("P %s %016x\n" % (s, bits(float(s))))
    epoch = datetime.datetime(1970, 1, 1)
    last = int((datetime.datetime(2400, 12, 31, 23, 59, 59) - epoch).total_seconds())
    times = [0, -1, 86399, 86400, 951782400, 951868799, 4107542400, last]
    times += [rng.randint(0, last) for _ in range(count // 10)]
    for t in times:
        d = epoch + datetime.timedelta(seconds=t)
        out.write("T %d %s\n" % (t, d.strftime("%Y-%m-%dT%H:%M:%SZ")))


if __name__ == "__main__":
    main()
