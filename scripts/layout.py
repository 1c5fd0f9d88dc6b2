#!/usr/bin/env python3
"""The architecture rules of the workspace, checked from the sources (run by .ci/run):

- no import cycle between files (`use` paths resolved to the file that defines the item);
- no source file over 800 lines;
- no function over 100 lines, except the tables listed in TABLES;
- no `Result<_, String>` (nor `type Error = String`) in the library crates: typed errors.

usage: scripts/layout.py [ROOT]   exit 1 and a list of violations when a rule is broken."""
import os, re, sys

# Functions that are tables (one arm a case): long by nature, read row by row.
TABLES = {
    # one arm a search parameter
    'crates/mock/src/matcher.rs:matcher',
    # one row a (rule, mutation) pair
    'crates/conformance/src/tests.rs:each_profile_rule_catches_the_mutation_that_breaks_it',
}
root = sys.argv[1] if len(sys.argv) > 1 else '.'
# crates: name -> src dir
crates = {}
def add_crate(d, name):
    src = os.path.join(d, 'src')
    if os.path.isdir(src): crates[name] = src
import tomllib
def pkg(d):
    p = os.path.join(d, 'Cargo.toml')
    if not os.path.exists(p): return None
    t = tomllib.load(open(p, 'rb'))
    return t.get('package', {}).get('name')
n = pkg(root)
if n: add_crate(root, n.replace('-', '_'))
cd = os.path.join(root, 'crates')
if os.path.isdir(cd):
    for d in sorted(os.listdir(cd)):
        n = pkg(os.path.join(cd, d))
        if n: add_crate(os.path.join(cd, d), n.replace('-', '_'))
# module path -> file
modfile = {}
for c, src in crates.items():
    for dp, _, fs in os.walk(src):
        for f in fs:
            if not f.endswith('.rs'): continue
            p = os.path.join(dp, f)
            rel = os.path.relpath(p, src)[:-3].split(os.sep)
            if rel[-1] in ('lib', 'main') and len(rel) == 1: rel = []
            elif rel[-1] == 'mod': rel = rel[:-1]
            modfile[tuple([c] + rel)] = p
def strip(t):
    out = []; i = 0; n = len(t)
    while i < n:
        c = t[i]
        if t.startswith('//', i):
            j = t.find('\n', i); i = n if j < 0 else j; continue
        if t.startswith('/*', i):
            j = t.find('*/', i + 2); i = n if j < 0 else j + 2; out.append(' '); continue
        m = re.match(r'b?r(#*)"', t[i:i+10]) if (c in 'rb' and (i == 0 or not (t[i-1].isalnum() or t[i-1] == '_'))) else None
        if m:
            close = '"' + m.group(1)
            j = t.find(close, i + m.end()); i = n if j < 0 else j + len(close); out.append('""'); continue
        if c == '"':
            j = i + 1
            while j < n and t[j] != '"':
                j += 2 if t[j] == '\\' else 1
            i = j + 1; out.append('""'); continue
        if c == "'":
            m = re.match(r"'(?:\\.[^']*|[^'\\])'", t[i:i+12])
            if m: i += m.end(); out.append("' '"); continue
        out.append(c); i += 1
    return ''.join(out)
src_text = {p: strip(open(p).read()) for p in modfile.values()}
# drop #[cfg(test)] mod tests { ... } blocks (test code may import freely)
def drop_tests(t):
    out = []; i = 0
    while True:
        m = re.search(r'#\[cfg\(test\)\]\s*(pub(\([^)]*\))?\s+)?mod\s+\w+\s*\{', t[i:])
        if not m: out.append(t[i:]); break
        s = i + m.start(); out.append(t[i:s]); j = i + m.end(); depth = 1
        while depth and j < len(t):
            if t[j] == '{': depth += 1
            elif t[j] == '}': depth -= 1
            j += 1
        i = j
    return ''.join(out)
defs = {}
for mp, p in modfile.items():
    t = drop_tests(src_text[p])
    defs[p] = set(re.findall(r'\b(?:struct|enum|fn|trait|type|const|static|union|macro_rules!)\s+([A-Za-z_]\w*)', t))
    defs[p] |= set(re.findall(r'\bmod\s+(\w+)\s*\{', t))
def reexports(p):
    """name -> path segments from `pub use a::b::Name` in file p"""
    r = {}
    t = drop_tests(src_text[p])
    for m in re.finditer(r'pub(?:\([^)]*\))?\s+use\s+([^;]+);', t):
        for segs in expand(m.group(1)):
            name = segs[-1]
            if ' as ' in name: a, b = name.split(' as '); segs = segs[:-1] + [a.strip()]; name = b.strip()
            r[name] = segs
    return r
def expand(u):
    u = u.replace('\n', ' ').strip()
    m = re.match(r'^(.*?)\{(.*)\}$', u, re.S)
    if not m:
        return [[s.strip() for s in u.split('::') if s.strip()]]
    prefix = [s.strip() for s in m.group(1).split('::') if s.strip()]
    inner = m.group(2); parts = []; depth = 0; cur = ''
    for ch in inner:
        if ch == '{': depth += 1
        if ch == '}': depth -= 1
        if ch == ',' and depth == 0: parts.append(cur); cur = ''
        else: cur += ch
    parts.append(cur)
    out = []
    for p in parts:
        p = p.strip()
        if not p: continue
        for e in expand(p): out.append(prefix + e)
    return out
rx = {p: reexports(p) for p in modfile.values()}
def mod_of(p):
    for mp, q in modfile.items():
        if q == p: return mp
def resolve(segs, p, depth=0):
    """Return the file that defines the item named by segs (as seen from file p)."""
    if depth > 8: return None
    here = mod_of(p)
    # the module that this file is (for super:: the parent module)
    if segs[0] == 'crate': base = (here[0],); segs = segs[1:]
    elif segs[0] == 'self': base = here; segs = segs[1:]
    elif segs[0] == 'super':
        base = here
        while segs and segs[0] == 'super': base = base[:-1]; segs = segs[1:]
    elif segs[0] in crates: base = (segs[0],); segs = segs[1:]
    else: return None
    mp = base
    for i, s in enumerate(segs):
        if s in ('self',): continue
        if tuple(list(mp) + [s]) in modfile:
            mp = tuple(list(mp) + [s]); continue
        f = modfile.get(mp)
        if f is None: return None
        if s in defs[f]: return f
        if s in rx[f]:
            r = resolve(rx[f][s] if rx[f][s][0] in ('crate','self','super') or rx[f][s][0] in crates else ['self'] + rx[f][s], f, depth+1)
            return r or f
        return f
    return modfile.get(mp)
edges = {}
for mp, p in modfile.items():
    t = drop_tests(src_text[p])
    e = set()
    uses = []
    for m in re.finditer(r'\buse\s+([^;]+);', t):
        uses += expand(m.group(1))
    for m in re.finditer(r'(?<![\w:])((?:crate|super|self|' + '|'.join(crates) + r')(?:::\w+)+)', t):
        uses.append(m.group(1).split('::'))
    for segs in uses:
        segs = [s.split(' as ')[0].strip() for s in segs]
        if not segs or segs[0] not in ('crate', 'super', 'self', *crates): continue
        if segs[-1] == '*': segs = segs[:-1]
        f = resolve(segs, p)
        if f and f != p: e.add(f)
    edges[p] = e
# Tarjan SCC
idx = {}; low = {}; st = []; on = set(); sccs = []; c = [0]
sys.setrecursionlimit(10000)
def sc(v):
    idx[v] = low[v] = c[0]; c[0] += 1; st.append(v); on.add(v)
    for w in edges[v]:
        if w not in idx: sc(w); low[v] = min(low[v], low[w])
        elif w in on: low[v] = min(low[v], idx[w])
    if low[v] == idx[v]:
        comp = []
        while True:
            w = st.pop(); on.discard(w); comp.append(w)
            if w == v: break
        if len(comp) > 1: sccs.append(comp)
for v in edges:
    if v not in idx: sc(v)
problems = []
for s in sccs:
    problems.append('import cycle: ' + ' <-> '.join(sorted(os.path.relpath(x, root) for x in s)))
    for a in s:
        for b in edges[a]:
            if b in s: problems.append('    ' + os.path.relpath(a, root) + ' -> ' + os.path.relpath(b, root))
# sizes
big = [(len(open(p).read().splitlines()), p) for p in modfile.values()]
for d in ('tests', 'benches'):
    for dp, _, fs in os.walk(os.path.join(root, d)):
        for f in fs:
            if f.endswith('.rs'):
                q = os.path.join(dp, f); big.append((len(open(q).read().splitlines()), q))
for n, p in sorted(big, reverse=True):
    if n > 800: problems.append(f'file over 800 lines: {os.path.relpath(p, root)} ({n})')
# function lengths
allfiles = [p for _, p in big]
for p in allfiles:
    lines = open(p).read().split('\n')
    for i, l in enumerate(lines):
        m = re.match(r'^(\s*)(?:pub(?:\([^)]*\))?\s+)?(?:async\s+)?(?:const\s+)?(?:unsafe\s+)?fn\s+(\w+)', l)
        if not m: continue
        ind = m.group(1)
        # find the closing brace at same indentation
        for j in range(i + 1, len(lines)):
            if lines[j] == ind + '}' or (lines[j].startswith(ind + '}') and len(lines[j].strip()) <= 2):
                where = os.path.relpath(p, root) + ':' + m.group(2)
                if j - i + 1 > 100 and where not in TABLES:
                    problems.append(f'function over 100 lines: {os.path.relpath(p, root)}:{i + 1} {m.group(2)} ({j - i + 1})')
                break
            if re.match(r'^' + ind + r'\S', lines[j]) and not lines[j].startswith(ind + ')') and not lines[j].startswith(ind + 'where') and not lines[j].startswith(ind + '-'):
                break
# typed errors in the library crates
for mp, p in modfile.items():
    if not p.startswith(os.path.join(root, 'crates')):
        continue
    t = drop_tests(src_text[p])
    for m in re.finditer(r'Result<(?:[^<>]|<(?:[^<>]|<[^<>]*>)*>)*?,\s*(?:Vec<)?String>+\s*[,>{)]|type\s+Error\s*=\s*String', t):
        line = src_text[p][:m.start()].count('\n') + 1
        problems.append(f'untyped error (String) in a library crate: {os.path.relpath(p, root)}: {m.group(0).strip()}')
for p in problems:
    print(p)
print(f'{len(modfile)} files, {sum(len(e) for e in edges.values())} imports between files: '
      + ('rules hold' if not problems else f'{len(problems)} problem line(s)'))
sys.exit(1 if problems else 0)
