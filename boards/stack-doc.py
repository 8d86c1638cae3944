#!/usr/bin/python3
"""boards/stack-doc.py -- the "Stack: at most N bytes." line of every public
call in include/*.h, from the figures `make size` measures.

    stack-doc.py --write BUILD   rewrite the lines (make stack-doc)
    stack-doc.py --check BUILD   exit 1 if a line is missing or below the
                                 measurement (make size runs it)

BUILD/<board>/stack.txt (boards/size-report.sh) holds "name direct bound"
per cpj_* function of that board's library build; the figure documented is
the largest bound of all boards found, rounded up to 16 bytes (see cpj.h
for what the bound counts). A call declared in a header but not measured
(nothing of it compiled, e.g. a port's own extension) is left as it is.
"""
import glob
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINE_RE = re.compile(r"^ \* Stack: at most [0-9,]+ bytes\.$")
DECL_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_ ]*[ *](cpj_[a-z0-9_]+)\(")


def measured(build):
    worst, boards = {}, []
    for f in sorted(glob.glob(os.path.join(build, "*", "stack.txt"))):
        boards.append(os.path.basename(os.path.dirname(f)))
        with open(f) as fh:
            for ln in fh:
                p = ln.split()
                if len(p) == 3:
                    worst[p[0]] = max(worst.get(p[0], 0), int(p[2]))
    return worst, boards


def fmt(n):
    n = (n + 15) // 16 * 16
    return " * Stack: at most {:,} bytes.".format(n), n


def process(path, worst, write):
    """Returns (problems, changed)."""
    with open(path) as f:
        lines = f.read().split("\n")
    problems, out, changed = [], [], False
    i = 0
    while i < len(lines):
        m = DECL_RE.match(lines[i])
        if not m or m.group(1) not in worst:
            out.append(lines[i])
            i += 1
            continue
        name = m.group(1)
        want, n = fmt(worst[name])
        # the doc comment that ends just above
        end = len(out) - 1
        if end < 0 or not out[end].rstrip().endswith("*/"):
            problems.append("%s: %s has no doc comment" % (path, name))
            out.append(lines[i])
            i += 1
            continue
        start = end
        while start >= 0 and not out[start].lstrip().startswith("/**"):
            start -= 1
        if start < 0:
            problems.append("%s: %s: doc comment not found" % (path, name))
            out.append(lines[i])
            i += 1
            continue
        block = out[start:end + 1]
        if len(block) > 1 and block[-1].strip() != "*/":
            # text and "*/" on the last line: give "*/" its own line
            last = block[-1].rstrip()[:-2].rstrip()
            block[-1:] = [last, " */"]
        have = [k for k, b in enumerate(block) if LINE_RE.match(b)]
        if have:
            got = int(block[have[0]].split()[4].replace(",", ""))
            if got < worst[name]:
                problems.append("%s: %s documents %d bytes, measured %d"
                                % (path, name, got, worst[name]))
            if block[have[0]] != want:
                block[have[0]] = want
                changed = True
        else:
            problems.append("%s: %s: no Stack line" % (path, name))
            changed = True
            if len(block) == 1:     # "/** \brief ... */" on one line
                text = block[0].rstrip()[:-2].rstrip()
                block = [text, " *", want, " */"]
            else:
                k = next((k for k, b in enumerate(block) if k > 0 and re.match(
                    r"^ \*\s+\\(param|return|retval|pre|note|warning)\b", b)),
                    len(block) - 1)
                ins = [want]
                if block[k - 1].strip() not in ("*", "/**"):
                    ins = [" *"] + ins
                if k != len(block) - 1:
                    ins.append(" *")
                block[k:k] = ins
        out[start:end + 1] = block
        out.append(lines[i])
        i += 1
    if write and changed:
        with open(path, "w") as f:
            f.write("\n".join(out))
    return problems, changed


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("--write", "--check"):
        sys.exit(__doc__)
    write = sys.argv[1] == "--write"
    worst, boards = measured(sys.argv[2])
    if not worst:
        sys.exit("stack-doc: no %s/<board>/stack.txt: run make size" % sys.argv[2])
    problems, nchanged = [], 0
    for h in sorted(glob.glob(os.path.join(TOP, "include", "*.h"))):
        p, c = process(h, worst, write)
        problems += p
        nchanged += c
    if write:
        print("stack-doc: %d header(s) updated from %s" % (nchanged, " ".join(boards)))
        return 0
    if problems:
        print("\n".join("stack-doc: " + p for p in problems))
        print("stack-doc: the Stack lines of include/ do not match the boards measured "
              "(%s): run make stack-doc" % " ".join(boards))
        return 1
    print("stack-doc: every public call documents its stack (boards: %s)" % " ".join(boards))
    return 0


if __name__ == "__main__":
    sys.exit(main())
