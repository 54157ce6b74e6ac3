"""The shape of the package holds: no import cycles, and each table written by its owner.

Imports are read from the source, at module level and inside functions (a late import
still closes a cycle when it runs); only `if TYPE_CHECKING:` blocks are left out. Writes
are `insert(t)`, `update(t)`, `delete(t)`, `t.insert()`, `t.update()` and `t.delete()`
on a table of `db/tables.py`.
"""

import ast
import re
from pathlib import Path

import papertide
from papertide.db import tables

PACKAGE = Path(papertide.__file__).parent
OWNERS = {  # table → the modules that may write it
    "papers": {"catalog/_store.py"},
    "events": {"catalog/_store.py"},
    "signals": {"catalog/_signals.py"},
    "source_state": {"sources/_state.py"},
    "source_runs": {"sources/_runs.py"},
    "source_claims": {"sources/_claims.py"},
    "counters": {"db/_queries.py"},
    "embeddings": {"search/_semantic.py"},
    "readers": {"readers/_store.py"},
    "topics": {"readers/_store.py"},
    "mail_events": {"readers/_store.py"},
    "library": {"library/_store.py"},
    "library_tags": {"library/_store.py"},
    "dismissals": {"library/_store.py"},
    "follows": {"library/_store.py"},
    "private_feeds": {"library/_feeds.py"},
    "sessions": {"readers/_accounts.py"},
    "api_tokens": {"readers/_accounts.py"},
    "used_links": {"readers/_accounts.py"},
    "rate_limits": {"ratelimit/_sql.py"},
    "deliveries": {"digest/_log.py"},
    "sent_papers": {"digest/_log.py"},
}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[:2] == ("db", "migrations"):
            continue
        name = ".".join(("papertide", *relative.with_suffix("").parts))
        yield name.removesuffix(".__init__"), path


def _imports(tree, module):
    package = module if module in _PACKAGES else module.rpartition(".")[0]
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for sub in ast.walk(node):
            if isinstance(sub, ast.Import):
                yield from (a.name for a in sub.names)
            elif isinstance(sub, ast.ImportFrom):
                base = sub.module or ""
                if sub.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - sub.level + 1]
                                    + ([base] if base else []))
                # `from pkg import submodule` imports the submodule; `from pkg import name`
                # needs pkg's __init__ to have run.
                for alias in sub.names:
                    submodule = f"{base}.{alias.name}"
                    yield submodule if submodule in _MODULES else base


_MODULES = dict(_modules())
_PACKAGES = {name for name, path in _MODULES.items() if path.name == "__init__.py"}


def test_the_import_graph_has_no_cycle():
    graph = {}
    for name, path in _MODULES.items():
        targets = set(_imports(ast.parse(path.read_text()), name))
        graph[name] = {t for t in targets if t in _MODULES and t != name}
    state, cycle = {}, []

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycle.extend(stack[stack.index(nxt):] + [nxt] if nxt in stack else [node, nxt])
                return True
            if nxt not in state and visit(nxt, stack + [nxt]):
                return True
        state[node] = "done"
        return False

    for node in sorted(graph):
        if node not in state and visit(node, [node]):
            break
    assert not cycle, "import cycle: " + " → ".join(cycle)


def test_every_table_has_an_owner():
    assert set(OWNERS) == set(tables.metadata.tables)


def test_each_table_is_written_only_by_its_owner():
    names = "|".join(OWNERS)
    write = re.compile(rf"\b(?:insert|update|delete)\(\s*({names})\b"
                       rf"|\b({names})\.(?:insert|update|delete)\(")
    strays = []
    for _, path in _MODULES.items():
        relative = str(path.relative_to(PACKAGE))
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            for match in write.finditer(line):
                table = match.group(1) or match.group(2)
                if relative not in OWNERS[table]:
                    strays.append(f"{relative}:{number} writes {table}")
    assert strays == []
