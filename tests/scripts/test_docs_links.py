#!/usr/bin/python3
"""The documentation holds together: every relative link of README.md,
docs/*.md, port/README.md and boards/README.md names a file that exists
(and a heading of it, for a #fragment); README.md is at most 16 KB, links
every docs/ page, names every folder of src/ and port/ in its layer map
with the folders each one calls (nm of the plain build), and every command
`cpjob --help` lists; docs/handler.md, installed alone, has no relative
link."""
import glob, os, re, subprocess, sys

TOP = os.environ.get("CPJ_TOP", os.getcwd())
BUILD = os.environ.get("CPJ_BUILD", os.path.join(TOP, "build", "host"))
fails = 0


def check(name, ok, info=None):
    global fails
    print("PASS %s" % name if ok else "FAIL %s: %s" % (name, info))
    fails += 0 if ok else 1


def text(path):  # without fenced code blocks
    return re.sub(r"^```.*?^```", "", open(path).read(), flags=re.S | re.M)


def slugs(path):
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
            for h in re.findall(r"^#+ (.*)$", text(path), re.M)}


def links(path):
    return [l for l in re.findall(r"\]\(([^)\s]+)\)", text(path))
            if not re.match(r"[a-z]+:", l)]


pages = ["README.md", "port/README.md", "boards/README.md"] + sorted(
    os.path.relpath(p, TOP) for p in glob.glob(os.path.join(TOP, "docs", "*.md")))
for page in pages:
    bad = []
    for l in links(os.path.join(TOP, page)):
        f, _, frag = l.partition("#")
        target = os.path.normpath(os.path.join(TOP, os.path.dirname(page), f)) if f \
            else os.path.join(TOP, page)
        if not os.path.exists(target) or (frag and target.endswith(".md")
                                          and frag not in slugs(target)):
            bad.append(l)
    check("links_" + page.replace("/", "_"), not bad, bad)
readme = open(os.path.join(TOP, "README.md")).read()
size = os.path.getsize(os.path.join(TOP, "README.md"))
check("readme_at_most_16k", size <= 16384, "%d bytes" % size)
unlinked = [p for p in pages if p.startswith("docs/") and "(%s)" % p not in readme]
check("readme_links_every_page", not unlinked, unlinked)
folders = [d for top in ("src", "port") for d in sorted(os.listdir(os.path.join(TOP, top)))
           if os.path.isdir(os.path.join(TOP, top, d))]
missing = [d for d in folders if not re.search(r"^\| `(src|port)/%s` \|" % d, readme, re.M)]
check("readme_layer_map_every_folder", not missing, missing)
# The layer map's "calls into" column against the symbols each folder's
# objects take from another's (nm of the plain build); libc and jsmn
# (header-only) are not seen by nm and not compared.
objs, defs, undef = {}, {}, {}
for o in glob.glob(os.path.join(BUILD, "obj", "src", "*", "*.o")):
    rel = os.path.relpath(o, os.path.join(BUILD, "obj"))[:-2] + ".c"
    if os.path.exists(os.path.join(TOP, rel)):     # (not a stale object)
        objs.setdefault(os.path.basename(os.path.dirname(o)), []).append(o)
for o in glob.glob(os.path.join(BUILD, "obj", "port", "*", "*.o")):
    objs.setdefault("port", []).append(o)
for m, files in objs.items():
    nm = subprocess.run(["nm"] + files, capture_output=True, text=True, timeout=60).stdout
    for f in (l.split() for l in nm.splitlines()):
        if len(f) == 3 and f[1] in "TDRB":
            defs[f[2]] = m
        elif len(f) == 2 and f[0] == "U":
            undef.setdefault(m, set()).add(f[1])
wrong = []
for folder, calls in re.findall(r"^\| `src/(\w+)` \|[^|]*\|[^|]*\|([^|]*)\|$", readme, re.M):
    said = {re.sub(r"\(.*", "", c).strip() for c in re.sub(r"\([^)]*\)", "", calls).split(",")}
    seen = {defs.get(u, "BearSSL" if u.startswith("br_") else None) for u in undef.get(folder, ())}
    seen = seen - {None, folder}
    if folder in objs and seen != said - {"libc", "jsmn"}:
        wrong.append((folder, sorted(said), sorted(seen)))
check("readme_layer_map_calls", objs and not wrong, wrong)
out = subprocess.run([os.path.join(BUILD, "cpjob"), "--help"], capture_output=True,
                     text=True, timeout=30).stdout
cmds = re.findall(r"^  ([a-z0-9-]+) ", out.split("commands:")[-1], re.M)
missing = [c for c in cmds if "| `%s` |" % c not in readme]
check("readme_table_every_command", len(cmds) >= 10 and not missing, (cmds, missing))
# Every source file of the agent is named, with its concern, in the README
# and in docs/agent.md.
agent_files = sorted(os.path.basename(f) for f in glob.glob(os.path.join(TOP, "src", "agent", "*.c")))
agent_doc = open(os.path.join(TOP, "docs", "agent.md"), encoding="utf-8").read()
unnamed = [f for f in agent_files if "`%s`" % f not in readme or "`%s`" % f not in agent_doc]
check("every_agent_file_named", len(agent_files) > 20 and not unnamed, unnamed)
check("handler_page_stands_alone", not links(os.path.join(TOP, "docs", "handler.md")),
      links(os.path.join(TOP, "docs", "handler.md")))
sys.exit(1 if fails else 0)
