"""The layering rules of CONTRIBUTING.md ("Conventions"), as a checker of the source (``ast``);
``tests/unit/test_layering.py`` runs it on ``src/callroute`` and tests it on made-up modules.

1. ``callroute.engine`` is pure: it imports only itself, ``callroute.errors``, the standard
   library and ``__future__``.
2. Services and repositories know nothing of HTTP: no ``callroute.api``, no ``callroute.app``,
   no route module (``*.routes``, a resource's ``api.py``, any module that makes an
   ``APIRouter``, the Twilio webhook routes).
3. Only repositories build or run SQL: ``repository.py``, ``*_repository.py`` and the storage
   modules of ``SQL_MODULES``. Anywhere else, importing a statement or expression constructor
   from SQLAlchemy, importing SQLAlchemy at run time for anything but sessions, engine URLs
   and errors (a type for annotations goes under ``TYPE_CHECKING``), running a statement on a
   session or connection, or calling a repository's ``scoped()`` or ``paginate`` is a
   violation.
4. Providers are adapters: they never import ``callroute.timers``, and of ``callroute.calls``
   only the provider-neutral ``callroute.calls.ingress``.
5. Repositories live in repository modules: no class named ``*Repository`` (or deriving
   from one) is defined in a route, service or any other module, so a resource's queries are
   found where its folder says they are.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "callroute"

REPOSITORY_FILE = re.compile(r"^(\w+_)?repository\.py$")
SERVICE_FILE = re.compile(r"^(service|(\w+_)?repository)\.py$")
# Storage modules that build SQL besides repositories: the call path's batched writes, the
# timers table, the database plumbing, the tables and the migrations.
SQL_MODULES = ("callroute.timers.store", "callroute.calls.records")
SQL_PACKAGES = ("callroute.db", "callroute.models", "callroute.migrations")
HTTP_MODULES = ("callroute.api", "callroute.app", "callroute.providers.twilio.routes")

# What SQLAlchemy builds statements and expressions with (``sqlalchemy``, ``sqlalchemy.sql*``,
# ``sqlalchemy.orm``, ``sqlalchemy.dialects.*``): never imported outside SQL modules, not even
# for type checking.
_CONSTRUCTORS = """
select insert update delete text func exists and_ or_ not_ case cast literal literal_column
tuple_ bindparam union union_all intersect intersect_all except_ except_all true false null
column table values lateral desc asc distinct nulls_first nulls_last nullsfirst nullslast join
outerjoin over within_group collate between extract type_coerce any_ all_ alias aliased outparam
funcfilter label tablesample selectinload joinedload subqueryload lazyload noload raiseload
immediateload contains_eager load_only defer undefer with_loader_criteria with_polymorphic
"""
SQL_CONSTRUCTORS = frozenset(_CONSTRUCTORS.split())
# What any module may import from SQLAlchemy at run time: sessions, engine URLs, errors.
SQLALCHEMY_ALLOWED = ("sqlalchemy.exc", "sqlalchemy.ext.asyncio", "sqlalchemy.engine")
# Running a statement: these methods, on a receiver named like a session or a connection.
EXECUTE_METHODS = frozenset(
    {"execute", "exec_driver_sql", "scalar", "scalars", "stream", "stream_scalars"}
)
DATABASE_HANDLE = re.compile(r"^(\w+_)?(session|connection|conn)$")
# Our own statement builders: a repository's scoped SELECT, and paging one.
STATEMENT_HELPERS = frozenset({"scoped", "paginate"})


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


@dataclass(frozen=True)
class Import:
    line: int
    module: str  # absolute: ``x`` in ``from x import y`` and in ``import x``
    name: str | None  # ``y`` in ``from x import y``; None for ``import x``
    typing_only: bool  # under ``if TYPE_CHECKING:``

    def __str__(self) -> str:
        return (
            f"import {self.module}"
            if self.name is None
            else f"from {self.module} import {self.name}"
        )


@dataclass(frozen=True)
class Module:
    name: str  # callroute.calls.ingress
    filename: str  # ingress.py (__init__.py for a package)
    tree: ast.Module
    imports: tuple[Import, ...]
    makes_router: bool  # creates a FastAPI APIRouter: a route module, whatever its name

    @classmethod
    def parse(cls, name: str, filename: str, source: str) -> Module:
        tree = ast.parse(source, filename=filename)
        package = name if filename == "__init__.py" else name.rpartition(".")[0]
        finder = _ImportFinder(package)
        finder.visit(tree)
        return cls(name, filename, tree, tuple(finder.found), _makes_router(tree))


@dataclass(frozen=True)
class Violation:
    module: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line}: {self.what}"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _ImportFinder(ast.NodeVisitor):
    """Every import of a module, wherever it is (functions included), relative ones resolved."""

    def __init__(self, package: str) -> None:
        self.package = package
        self.found: list[Import] = []
        self._typing_only = False

    def visit_If(self, node: ast.If) -> None:
        if not _is_type_checking(node.test):
            self.generic_visit(node)
            return
        outer, self._typing_only = self._typing_only, True
        for child in node.body:
            self.visit(child)
        self._typing_only = outer
        for child in node.orelse:
            self.visit(child)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.found.append(Import(node.lineno, alias.name, None, self._typing_only))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            parts = self.package.split(".")
            anchor = ".".join(parts[: len(parts) - node.level + 1])
            base = f"{anchor}.{base}" if base else anchor
        for alias in node.names:
            self.found.append(Import(node.lineno, base, alias.name, self._typing_only))


def _makes_router(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == "APIRouter")
            or (isinstance(node.func, ast.Attribute) and node.func.attr == "APIRouter")
        )
        for node in ast.walk(tree)
    )


def _handle_name(node: ast.expr) -> str | None:
    """The name a statement is run on: ``session`` in ``self.repo.session.execute(...)``,
    ``connection`` in ``(await session.connection()).execute(...)``."""
    if isinstance(node, ast.Await):
        node = node.value
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else None


class Project:
    def __init__(self, modules: list[Module]) -> None:
        self.modules = modules
        self.names = {m.name for m in modules}
        self.routes = {m.name for m in modules if m.makes_router}

    def target(self, imp: Import) -> str:
        """The module an import reaches: ``callroute.calls.ingress`` for both
        ``from callroute.calls import ingress`` and ``from callroute.calls.ingress import X``."""
        if imp.name is not None and f"{imp.module}.{imp.name}" in self.names:
            return f"{imp.module}.{imp.name}"
        return imp.module

    def is_route_module(self, name: str) -> bool:
        return name.rpartition(".")[2] in ("routes", "api") or name in self.routes

    def check(self, rule: Rule, only: str | None = None) -> list[Violation]:
        return [
            violation
            for module in self.modules
            if only is None or module.name == only
            for violation in rule(self, module)
        ]


Rule = Callable[[Project, Module], Iterator[Violation]]


def engine_is_pure(project: Project, module: Module) -> Iterator[Violation]:
    if not within(module.name, "callroute.engine"):
        return
    for imp in module.imports:
        top = imp.module.partition(".")[0]
        if top == "callroute":
            target = project.target(imp)
            if within(target, "callroute.engine") or target == "callroute.errors":
                continue
        elif top == "__future__" or top in sys.stdlib_module_names:
            continue
        yield Violation(module.name, imp.line, f"{imp}: the engine is pure (no I/O, no library)")


def services_know_no_http(project: Project, module: Module) -> Iterator[Violation]:
    if not SERVICE_FILE.match(module.filename):
        return
    for imp in module.imports:
        target = project.target(imp)
        if any(within(target, m) for m in HTTP_MODULES) or project.is_route_module(target):
            yield Violation(module.name, imp.line, f"{imp}: services and repositories know no HTTP")


def builds_sql(module: Module) -> bool:
    return bool(REPOSITORY_FILE.match(module.filename)) or (
        module.name in SQL_MODULES or any(within(module.name, p) for p in SQL_PACKAGES)
    )


def sql_only_in_repositories(project: Project, module: Module) -> Iterator[Violation]:
    if builds_sql(module):
        return
    for imp in module.imports:
        if not within(imp.module, "sqlalchemy"):
            continue
        if imp.name in SQL_CONSTRUCTORS:
            yield Violation(module.name, imp.line, f"{imp}: SQL is built in repositories")
        elif imp.typing_only or (imp.module == "sqlalchemy" and imp.name == "exc"):
            continue
        elif not any(within(imp.module, allowed) for allowed in SQLALCHEMY_ALLOWED):
            yield Violation(
                module.name,
                imp.line,
                f"{imp}: SQL is built in repositories (a type for annotations only goes "
                "under TYPE_CHECKING)",
            )
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Call) and _runs_sql(node.func):
            yield Violation(
                module.name,
                node.lineno,
                f"{ast.unparse(node.func)}(...): SQL is built and run in repositories",
            )


def _runs_sql(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in STATEMENT_HELPERS
    if not isinstance(func, ast.Attribute):
        return False
    if func.attr in STATEMENT_HELPERS:
        return True
    return func.attr in EXECUTE_METHODS and bool(
        DATABASE_HANDLE.match(_handle_name(func.value) or "")
    )


def providers_are_adapters(project: Project, module: Module) -> Iterator[Violation]:
    if not within(module.name, "callroute.providers"):
        return
    for imp in module.imports:
        target = project.target(imp)
        if within(target, "callroute.timers") or (
            within(target, "callroute.calls") and not within(target, "callroute.calls.ingress")
        ):
            yield Violation(
                module.name,
                imp.line,
                f"{imp}: providers reach calls only through callroute.calls.ingress, "
                "and never timers",
            )


def repositories_in_repository_modules(project: Project, module: Module) -> Iterator[Violation]:
    if REPOSITORY_FILE.match(module.filename) or within(module.name, "callroute.db"):
        return  # db/ holds the base class (ScopedRepository)
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.ClassDef):
            continue
        bases = [ast.unparse(base) for base in node.bases]
        if node.name.endswith("Repository") or any("Repository" in b for b in bases):
            yield Violation(
                module.name,
                node.lineno,
                f"class {node.name}: a repository lives in repository.py or *_repository.py",
            )


RULES: dict[str, Rule] = {
    "engine_is_pure": engine_is_pure,
    "services_know_no_http": services_know_no_http,
    "sql_only_in_repositories": sql_only_in_repositories,
    "providers_are_adapters": providers_are_adapters,
    "repositories_in_repository_modules": repositories_in_repository_modules,
}


def load_module(path: Path) -> Module:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return Module.parse(".".join(parts), path.name, path.read_text())
