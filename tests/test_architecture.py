"""Dependencies point one way (DESIGN.md): `intake` uses `claims`, `claims` uses `sources`
and `ownership`; `claims` knows nothing of intake, `sources` and `ownership` nothing of
claims, intake or each other, and plumbing knows no app's models."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def import_statements(path: Path) -> list[tuple[int, str, list[str]]]:
    """Every import in a module's text, late ones inside functions too, as (level, module,
    names): `import a.b` is (0, "a.b", []), `from ..c import d` is (2, "c", ["d"])."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(0, alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.level, node.module or "", [a.name for a in node.names]))
    return found


def imported_modules(path: Path) -> set[str]:
    return {module for level, module, _ in import_statements(path) if module and not level}


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("claims", "intake"),
        ("sources", "claims"),
        ("sources", "intake"),
        ("sources", "ownership"),
        ("ownership", "claims"),
        ("ownership", "intake"),
        ("ownership", "sources"),
        ("plumbing", "claims"),
        ("plumbing", "intake"),
        ("plumbing", "ownership"),
        ("plumbing", "sources"),
    ],
)
def test_a_package_never_imports_what_depends_on_it(package, forbidden):
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m for m in imported_modules(path) if m == forbidden or m.startswith(forbidden + ".")
        )
        for path in (ROOT / package).rglob("*.py")
    }
    assert {path: mods for path, mods in offenders.items() if mods} == {}


# --- Writes live in services.py (STYLE.md §3): a module of an app that writes a model of that
# app through `.save()`, `.update()` or `.create()` (or their bulk and get-or-create forms) is
# either that app's services.py or named here, with the reason.

WRITE_METHODS = frozenset(
    {"save", "update", "create", "get_or_create", "update_or_create", "bulk_create", "bulk_update"}
)

WRITES_ALLOWED_OUTSIDE_SERVICES = {
    # Seed loading: validated files written in one transaction, matched by stable keys.
    "claims/seeding.py": "seed loading",
    # Bulk ownership imports (FtM, GLEIF): one run's batched writes, with its own report.
    "ownership/imports.py": "bulk import pipeline",
    "ownership/gleif.py": "bulk import pipeline",
    # The imports' fast INSERT (COPY / executemany) of the rows ImportSession collected.
    "ownership/bulk.py": "bulk import pipeline",
    # Stored suggestions: derived rows, recomputed inside the transaction of every write above.
    "claims/materialised.py": "materialised suggestions",
    # The worker's liveness row, written by the worker process itself, not desk state.
    "sources/heartbeat.py": "worker heartbeat",
}


def model_names(app: str) -> set[str]:
    tree = ast.parse((ROOT / app / "models.py").read_text(encoding="utf-8"))
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.ClassDef)
        and any(isinstance(b, ast.Attribute) and b.attr == "Model" for b in node.bases)
    }


def _root(node: ast.AST) -> tuple[str | None, list[str]]:
    """The name a chain like `Model.objects.filter(...).update` starts from, and the
    attributes along it."""
    attrs: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            attrs.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            return (node.id if isinstance(node, ast.Name) else None), attrs


def model_writes(path: Path, models: set[str]) -> list[str]:
    """`Model.objects….create/update/…(…)` calls (or `model.objects…` on a variable holding a
    model class), and `x.save()` where `x` was bound to a `Model(...)` or a row read through
    `Model.objects`, in one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rows: set[str] = set()  # names bound to rows of the app's models
    for node in ast.walk(tree):
        targets, value = [], None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.For):
            targets, value = [node.target], node.iter
        if value is not None and _root(value)[0] in models:
            for target in targets:
                names = target.elts if isinstance(target, ast.Tuple) else [target]
                rows |= {n.id for n in names[:1] if isinstance(n, ast.Name)}
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in WRITE_METHODS:
            continue
        root, attrs = _root(node.func.value)
        # A lower-case root is a variable holding a model class (`model.objects...`).
        through_manager = "objects" in attrs and (root in models or (root or "X")[0].islower())
        saved_row = node.func.attr == "save" and not attrs and root in rows
        if through_manager or saved_row:
            found.append(f"{root}….{node.func.attr}() at line {node.lineno}")
    return found


@pytest.mark.parametrize("app", ["claims", "intake", "sources", "ownership"])
def test_only_services_write_their_apps_models(app):
    models = model_names(app)
    offenders = {}
    for path in sorted((ROOT / app).rglob("*.py")):
        rel = str(path.relative_to(ROOT))
        if "/services/" in rel or path.name == "services.py" or "/migrations/" in rel:
            continue
        if rel in WRITES_ALLOWED_OUTSIDE_SERVICES:
            continue
        writes = model_writes(path, models)
        if writes:
            offenders[rel] = writes
    assert offenders == {}, "write through the app's services.py: " + repr(offenders)


def test_every_allowed_module_still_writes():
    # An entry whose module no longer writes (e.g. after a move into services) must go.
    stale = [
        rel
        for rel in WRITES_ALLOWED_OUTSIDE_SERVICES
        if not model_writes(ROOT / rel, model_names(rel.split("/")[0]))
    ]
    assert stale == []


def test_the_import_check_sees_claims_importing_intake(tmp_path):
    # It must be able to fail: every spelling of an import of intake from claims is seen
    # (a late import inside a function, as the ingest form once had, included).
    probe = tmp_path / "admin.py"
    probe.write_text(
        "import intake\n"
        "import intake.proposals as p\n"
        "from intake.models import ClaimProposal\n"
        "def view():\n"
        "    from intake.ingest import ingest\n"
        "from claims.models import Claim\n"
        "import intakes\n",  # another name: not an import of intake
        encoding="utf-8",
    )
    found = imported_modules(probe)
    assert sorted(m for m in found if m == "intake" or m.startswith("intake.")) == [
        "intake",
        "intake.ingest",
        "intake.models",
        "intake.proposals",
    ]


def test_the_write_check_sees_writes_through_a_manager_and_save(tmp_path):
    # The check must be able to fail: a receiver writing evidence itself, as before issue 14.
    probe = tmp_path / "receivers.py"
    probe.write_text(
        "from claims.models import Evidence\n"
        "def on_archived(pk):\n"
        "    Evidence.objects.filter(pk=pk).update(hints={})\n"
        "    row = Evidence.objects.get(pk=pk)\n"
        "    row.save()\n"
        "    Evidence.objects.filter(pk=pk).values('id')\n",  # a read: not a write
        encoding="utf-8",
    )
    assert [w.split(" at ")[0] for w in model_writes(probe, model_names("claims"))] == [
        "Evidence….update()",
        "row….save()",
    ]


# --- The house (issue 26): modules import one way, apps along the allowed arrows only, the
# wiring (reex/) imported by no app, the plumbing importing nothing of ours, no module over a
# few pages, Celery tasks in tasks modules. Tests, migrations and bench are left out.

PACKAGES = ("claims", "intake", "ownership", "sources", "plumbing", "reex")
APPS = ("claims", "intake", "ownership", "sources")
MAX_LINES = 600

# Which package may import which: `intake` builds on claims (claim_create), reads entities and
# archives; `claims` reads ownership chains and snapshots; everything may use the plumbing; the
# wiring (reex) mounts every app's URLs and reads their models for health and metrics.
ALLOWED_ARROWS = {
    ("intake", "claims"),
    ("intake", "ownership"),
    ("intake", "sources"),
    ("claims", "ownership"),
    ("claims", "sources"),
    *((app, "plumbing") for app in APPS),
    *(("reex", package) for package in (*APPS, "plumbing")),
}


def _modules(root: Path, packages=PACKAGES) -> dict[str, Path]:
    found = {}
    for package in packages:
        for path in (root / package).rglob("*.py"):
            rel = path.relative_to(root)
            if "migrations" in rel.parts:
                continue
            parts = rel.with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def module_graph(root: Path = ROOT, packages=PACKAGES) -> dict[str, set[str]]:
    """Each module of ours and the modules of ours it imports anywhere in its text (late imports
    inside functions too). `from a import b` is an import of the module `a.b` when that module
    exists, else of `a`; relative imports are resolved against the importing module."""
    modules = _modules(root, packages)

    def ours(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str | None] = set()
        for level, module, names in import_statements(path):
            base = module
            if level:
                parts = package.split(".")[: len(package.split(".")) - level + 1]
                base = ".".join([*parts, *([module] if module else [])])
            if not names:  # import a.b
                targets.add(ours(base))
            for n in names:
                targets.add(f"{base}.{n}" if f"{base}.{n}" in modules else ours(base))
        graph[name] = {t for t in targets if t and t != name}
    return graph


@functools.cache
def house() -> dict[str, set[str]]:
    """The graph of the house as it is (read once for every test that looks at it)."""
    return module_graph()


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def package_arrows(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    return {
        (a.split(".")[0], b.split(".")[0])
        for a, targets in graph.items()
        for b in targets
        if a.split(".")[0] != b.split(".")[0]
    }


def test_no_module_imports_itself_back():
    found = cycles(house())
    detail = [{member: sorted(house()[member] & set(group)) for member in group} for group in found]
    assert found == [], f"modules importing each other (move the shared piece down): {detail}"


def test_packages_import_only_along_the_allowed_arrows():
    assert package_arrows(house()) - ALLOWED_ARROWS == set()


def test_no_app_imports_the_wiring_and_the_plumbing_imports_nothing_of_ours():
    graph = house()
    wrong = {
        module: sorted(t for t in targets if t.split(".")[0] == "reex")
        for module, targets in graph.items()
        if module.split(".")[0] != "reex"
    }
    wrong |= {
        module: sorted(t for t in targets if t.split(".")[0] != "plumbing")
        for module, targets in graph.items()
        if module.split(".")[0] == "plumbing"
    }
    assert {module: targets for module, targets in wrong.items() if targets} == {}


def test_no_module_is_longer_than_a_few_pages():
    long = {
        str(path.relative_to(ROOT)): lines
        for path in _modules(ROOT).values()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"split these by concern (at most {MAX_LINES} lines): {long}"


def test_celery_tasks_live_in_tasks_modules():
    # A task is found where the worker and a newcomer look for it: tasks.py (or *_tasks.py),
    # and it is declared with shared_task, never through the project's Celery app.
    found = {}
    for name, path in _modules(ROOT, APPS).items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        decorated = [
            node.name
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef)
            for decorator in node.decorator_list
            if "task" in ast.unparse(decorator).split("(")[0]
        ]
        if decorated and not path.stem.endswith("tasks"):
            found[name] = decorated
    assert found == {}


def test_each_app_has_the_same_rooms():
    missing = {
        app: [
            room
            for room in ("models", "services", "selectors", "admin", "apps")
            if not ((ROOT / app / f"{room}.py").exists() or (ROOT / app / room).is_dir())
        ]
        for app in APPS
    }
    assert {app: rooms for app, rooms in missing.items() if rooms} == {}


def test_the_architecture_picture_shows_the_arrows_the_code_has():
    # docs/architecture.md's diagram draws one arrow per pair of packages that import each
    # other (`a --> b` between the package subgraphs); it is kept true by this test.
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = text.split("```mermaid", 1)[1].split("```", 1)[0]
    drawn = set()
    for line in block.splitlines():
        parts = line.strip().split(" --> ")
        if len(parts) == 2 and all(p in PACKAGES for p in parts):
            drawn.add((parts[0], parts[1]))
    assert drawn == package_arrows(house())


def test_the_cycle_check_sees_a_late_import_and_a_relative_one(tmp_path):
    # It must be able to fail: a services module importing a task module that imports it back
    # inside a function (as claims.services and claims.tasks once did), and a relative import.
    app = tmp_path / "probe"
    (app / "services").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "services" / "__init__.py").write_text("")
    (app / "services" / "status.py").write_text("from probe import tasks\n")
    (app / "tasks.py").write_text("def run():\n    from .services.status import x\n")
    (app / "selectors.py").write_text("from probe.services import status\n")
    graph = module_graph(tmp_path, ("probe",))
    assert graph["probe.selectors"] == {"probe.services.status"}
    assert cycles(graph) == [["probe.services.status", "probe.tasks"]]


def test_the_architecture_page_names_only_what_exists():
    # docs/architecture.md tells a newcomer where each rule lives: every path it names exists,
    # and every dotted name (`claims.services.creation.claim_create`) is a module of ours or a
    # name defined at the top of one.
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    roots = "|".join(PACKAGES)
    paths = set(re.findall(rf"`((?:{roots})/[\w/.-]*)`", text))
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    modules = _modules(ROOT)
    for dotted in set(re.findall(rf"`((?:{roots})\.[\w.]+)`", text)):
        module, name = dotted, ""
        while module and module not in modules:
            module, _, last = module.rpartition(".")
            name = f"{last}.{name}" if name else last
        defined = module and (not name or _defines(modules[module], name.split(".")[0]))
        if module in APPS and not defined:  # Django's `app_label.Model`
            defined = _defines(modules[f"{module}.models"], name)
        if not defined:
            missing.append(dotted)
    assert paths
    assert missing == [], f"docs/architecture.md names what does not exist: {missing}"


def _defines(path: Path, name: str) -> bool:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found = node.name == name
        elif isinstance(node, ast.Assign):
            found = any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
        elif isinstance(node, ast.AnnAssign):
            found = isinstance(node.target, ast.Name) and node.target.id == name
        elif isinstance(node, ast.ImportFrom | ast.Import):
            found = any((alias.asname or alias.name) == name for alias in node.names)
        else:
            found = False
        if found:
            return True
    return False
