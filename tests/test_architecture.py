"""Dependencies point one way (DESIGN.md): `intake` uses `claims`, `claims` uses `sources`
and `ownership`; `claims` knows nothing of intake, `sources` and `ownership` nothing of
claims, intake or each other, and plumbing knows no app's models."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


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
        if path.name == "services.py" or "/services/" in rel or "/migrations/" in rel:
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
