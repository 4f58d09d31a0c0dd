#!/usr/bin/env python3
"""Write the API reference, docs/api/<module>.md, from the docstrings and signatures of msk.

    .venv/bin/python scripts/gen_api_docs.py           write docs/api/ (install the package first)
    .venv/bin/python scripts/gen_api_docs.py --check   exit 1 if docs/api/ differs from the code

One page per public module (``msk`` and each ``msk.<name>`` without a leading underscore, found
with pkgutil), documenting the names in its ``__all__``: signatures from :mod:`inspect`,
docstrings (numpydoc) turned into Markdown, module constants with the docstring under them in the
source. Names defined in another public module link to its page. The pages are a pure function of
the code, so tests/python/test_api_docs.py can fail when they are out of date.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import pkgutil
import re
import sys
import textwrap
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
API_DIR = ROOT / "docs" / "api"
SOURCE_PACKAGE = ROOT / "bindings" / "python" / "msk"
SECTIONS = (
    "Parameters",
    "Other Parameters",
    "Returns",
    "Yields",
    "Raises",
    "Warns",
    "Attributes",
    "Examples",
    "Notes",
    "See Also",
    "References",
)
ENTRY_SECTIONS = {"Parameters", "Other Parameters", "Returns", "Yields", "Raises", "Warns"}
ENTRY_SECTIONS |= {"Attributes"}
SIGNATURE_WIDTH = 88
DUNDERS = ("__call__", "__getitem__", "__contains__", "__len__", "__iter__")


# --- docstrings to Markdown ------------------------------------------------------------------


def _inline(text: str) -> str:
    """reST inline markup to Markdown: ``code``, :role:`target`, :role:`~a.b.c`."""

    def role(match: re.Match[str]) -> str:
        target = match.group(2)
        if target.startswith("~"):
            target = target[1:].rsplit(".", 1)[-1]
        return f"`{target}`"

    text = re.sub(r":(func|class|meth|mod|data|attr|obj|exc):`([^`]+)`", role, text)
    return re.sub(r"``([^`]+)``", r"`\1`", text)


def _blocks(lines: list[str]) -> list[str]:
    """Fence doctest runs (``>>>``) and literal blocks (a paragraph ending in ``::``)."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith(">>>"):
            indent = len(line) - len(line.lstrip())
            block = []
            while (
                i < len(lines)
                and lines[i].strip()
                and (
                    lines[i].strip().startswith((">>>", "..."))
                    or len(lines[i]) - len(lines[i].lstrip()) >= indent
                )
            ):
                block.append(lines[i][indent:])
                i += 1
            out += [" " * indent + "```python", *(" " * indent + b for b in block)]
            out.append(" " * indent + "```")
            continue
        if stripped.endswith("::") and not stripped.startswith(".."):
            indent = len(line) - len(line.lstrip())
            head = line[: len(line.rstrip()) - 2].rstrip()
            if head.strip():
                out.append(_inline(head) + ":")
            i += 1
            block: list[str] = []
            while i < len(lines) and (
                not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent
            ):
                block.append(lines[i])
                i += 1
            while block and not block[-1].strip():
                block.pop()
            body = textwrap.dedent("\n".join(block)).strip("\n").splitlines()
            out += ["", " " * indent + "```", *(" " * indent + b for b in body)]
            out += [" " * indent + "```", ""]
            continue
        out.append(_inline(line))
        i += 1
    return out


def _entries(lines: list[str]) -> list[str]:
    """A numpydoc list of ``name : type`` entries with indented descriptions, as a list."""
    body = textwrap.dedent("\n".join(lines)).splitlines()
    out: list[str] = []
    i = 0
    while i < len(body):
        line = body[i]
        if not line.strip():
            i += 1
            continue
        name, sep, kind = line.partition(" : ")
        head = f"- **`{name.strip()}`**" + (f" : *{kind.strip()}*" if sep else "")
        if not sep:
            head = f"- **`{line.strip()}`**"
        i += 1
        description = []
        while i < len(body) and (not body[i].strip() or body[i].startswith((" ", "\t"))):
            description.append(body[i])
            i += 1
        text = _blocks(textwrap.dedent("\n".join(description)).strip("\n").splitlines())
        out.append(_inline(head))
        out += [("  " + t).rstrip() for t in text]
    return out


def _is_section(lines: list[str], i: int) -> bool:
    """A numpydoc section header (a known name underlined with dashes) at line ``i``."""
    underline = lines[i + 1].strip() if i + 1 < len(lines) else ""
    return lines[i].strip() in SECTIONS and re.fullmatch(r"-{3,}", underline) is not None


def markdown(doc: str | None) -> str:
    """A numpydoc docstring as Markdown."""
    if not doc:
        return ""
    lines = inspect.cleandoc(doc).splitlines()
    out: list[str] = []
    prose: list[str] = []
    i = 0
    while i < len(lines):
        if not _is_section(lines, i):
            prose.append(lines[i])
            i += 1
            continue
        out += _blocks(prose)
        prose = []
        section = lines[i].strip()
        i += 2
        block: list[str] = []
        while i < len(lines) and not _is_section(lines, i):
            block.append(lines[i])
            i += 1
        while block and not block[-1].strip():
            block.pop()
        out += ["", f"**{section}**", ""]
        out += _entries(block) if section in ENTRY_SECTIONS else _blocks(block)
    out += _blocks(prose)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()


# --- signatures ------------------------------------------------------------------------------


def _annotation(annotation: Any) -> str:
    """An annotation as written in the source (they are strings under postponed evaluation)."""
    if isinstance(annotation, str):
        return annotation
    return inspect.formatannotation(annotation)


def _parameters(signature: inspect.Signature) -> list[str]:
    """``name: type = default`` of each parameter, with the ``/`` and ``*`` markers."""
    parameters = list(signature.parameters.values())
    kinds = [p.kind for p in parameters]
    items: list[str] = []
    for k, parameter in enumerate(parameters):
        first_keyword_only = parameter.kind is inspect.Parameter.KEYWORD_ONLY and (
            k == 0 or kinds[k - 1] is not inspect.Parameter.KEYWORD_ONLY
        )
        if first_keyword_only and inspect.Parameter.VAR_POSITIONAL not in kinds:
            items.append("*")
        text = parameter.name
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            text = "*" + text
        elif parameter.kind is inspect.Parameter.VAR_KEYWORD:
            text = "**" + text
        if parameter.annotation is not inspect.Parameter.empty:
            text += f": {_annotation(parameter.annotation)}"
        if parameter.default is not inspect.Parameter.empty:
            text += (" = " if ": " in text else "=") + repr(parameter.default)
        items.append(text)
        last_positional_only = parameter.kind is inspect.Parameter.POSITIONAL_ONLY and (
            k == len(parameters) - 1 or kinds[k + 1] is not inspect.Parameter.POSITIONAL_ONLY
        )
        if last_positional_only:
            items.append("/")
    return items


def _signature(name: str, obj: Any, *, drop_first: bool = False) -> str:
    """``name(a, b=1) -> T``, one parameter per line when long; ``name(...)`` if unknown."""
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return f"{name}(...)"
    parameters = list(signature.parameters.values())
    if drop_first and parameters:
        parameters = parameters[1:]
    signature = signature.replace(parameters=parameters)
    items = _parameters(signature)
    returns = ""
    if signature.return_annotation is not inspect.Signature.empty:
        returns = f" -> {_annotation(signature.return_annotation)}"
    text = f"{name}({', '.join(items)}){returns}"
    if len(text) <= SIGNATURE_WIDTH:
        return text
    return f"{name}(\n" + "".join(f"    {item},\n" for item in items) + ")" + returns


# --- pages -----------------------------------------------------------------------------------


def public_modules() -> list[str]:
    """``msk`` and its submodules without a leading underscore, sorted."""
    import msk

    names = [
        f"msk.{m.name}"
        for m in pkgutil.iter_modules(msk.__path__)
        if not m.name.startswith("_") and m.name != "__main__"
    ]
    return ["msk", *sorted(names)]


def page_name(module: str) -> str:
    return f"{module}.md"


def _constants(module: ModuleType) -> dict[str, tuple[str, str]]:
    """Module constants: name -> (source of the assignment's value, docstring under it)."""
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError):
        return {}
    tree = ast.parse(source)
    found: dict[str, tuple[str, str]] = {}
    body = tree.body
    for k, node in enumerate(body):
        target = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        if not isinstance(target, ast.Name):
            continue
        doc = ""
        after = body[k + 1] if k + 1 < len(body) else None
        if (
            isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            doc = after.value.value
        elif k > 0:
            # A "#: comment" on the line before (Sphinx style).
            previous = source.splitlines()[node.lineno - 2].strip()
            if previous.startswith("#:"):
                doc = previous[2:].strip()
        found[target.id] = (ast.get_source_segment(source, value) or "", doc)
    return found


def _line(obj: Any) -> tuple[str, int]:
    """Where ``obj`` is defined (file, line), to list names in the order of the source."""
    try:
        return (inspect.getsourcefile(obj) or "", inspect.getsourcelines(obj)[1])
    except (OSError, TypeError):
        return ("", 0)


def _defined_in(obj: Any) -> str | None:
    """The public module whose page documents ``obj``: its module, or for the submodules of a
    public package (``msk.spine.files``) the package (``msk.spine``)."""
    module = getattr(obj, "__module__", None)
    if not isinstance(module, str):
        return None
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "msk" and len(parts) > 2 else module


def _class_members(cls: type) -> Iterable[tuple[str, Any]]:
    for name, member in cls.__dict__.items():
        if name.startswith("_") and name not in DUNDERS:
            continue
        yield name, member


def _document_class(name: str, cls: type, out: list[str]) -> None:
    bases = [b.__name__ for b in cls.__bases__ if b is not object]
    out.append(f"## class `{name}`")
    out.append("")
    if issubclass(cls, BaseException) or "__init__" not in cls.__dict__ and not _is_dataclass(cls):
        header = f"class {name}" + (f"({', '.join(bases)})" if bases else "")
    else:
        header = "class " + _signature(name, cls).removesuffix(" -> None")
        if bases:
            header += f"\n# bases: {', '.join(bases)}"
    out += ["```python", header, "```", ""]
    doc = markdown(cls.__doc__) if cls.__doc__ and cls.__doc__ != _base_doc(cls) else ""
    if doc:
        out += [doc, ""]
    for member_name, member in _class_members(cls):
        qualified = f"{name}.{member_name}"
        if isinstance(member, property):
            out += [f"### `{qualified}` (property)", ""]
            out += [markdown(member.fget.__doc__) if member.fget else "", ""]
        elif isinstance(member, (classmethod, staticmethod)):
            function = member.__func__
            kind = "classmethod" if isinstance(member, classmethod) else "staticmethod"
            drop = isinstance(member, classmethod)
            out += [f"### `{qualified}` ({kind})", ""]
            out += ["```python", _signature(qualified, function, drop_first=drop), "```", ""]
            out += [markdown(function.__doc__), ""]
        elif inspect.isfunction(member):
            out += [f"### `{qualified}`", ""]
            out += ["```python", _signature(qualified, member, drop_first=True), "```", ""]
            out += [markdown(member.__doc__), ""]


def _is_dataclass(cls: type) -> bool:
    return hasattr(cls, "__dataclass_fields__")


def _base_doc(cls: type) -> str | None:
    for base in cls.__mro__[1:]:
        if base.__doc__:
            return base.__doc__
    return None


def render(module_name: str, documented: list[str]) -> str:
    """The Markdown page of one module."""
    module = importlib.import_module(module_name)
    names = list(getattr(module, "__all__", []))
    constants = _constants(module)
    out = [f"# `{module_name}`", ""]
    out += [
        "<!-- Generated by scripts/gen_api_docs.py from the docstrings; do not edit. -->",
        "",
    ]
    out += [markdown(module.__doc__), ""]

    functions, classes, data, links = [], [], [], []
    for name in names:
        if name == "__version__":
            continue
        obj = getattr(module, name)
        home = _defined_in(obj)
        if isinstance(obj, ModuleType):
            links.append((name, obj.__name__))
        elif (
            (inspect.isfunction(obj) or inspect.isclass(obj))
            and home in documented
            and home != module_name
        ):
            links.append((name, home))
        elif inspect.isclass(obj):
            classes.append((name, obj))
        elif inspect.isfunction(obj) or inspect.isbuiltin(obj):
            functions.append((name, obj))
        else:
            data.append((name, obj))

    if links:
        out += ["## Also here", ""]
        for name, home in links:
            out.append(f"- `{name}`: see [`{home}`]({page_name(home)})")
        out.append("")
    functions.sort(key=lambda item: _line(item[1]))
    classes.sort(key=lambda item: _line(item[1]))
    for name, obj in functions:
        out += [f"## `{name}`", "", "```python", _signature(name, obj), "```", ""]
        out += [markdown(obj.__doc__), ""]
    for name, obj in classes:
        _document_class(name, obj, out)
    if data:
        out += ["## Constants and types", ""]
        for name, obj in data:
            value, doc = constants.get(name, ("", ""))
            shown = value if value and "\n" not in value and len(value) <= 80 else None
            out += [f"### `{name}`", ""]
            out += ["```python", f"{name} = {shown}" if shown else f"{name}: {type(obj).__name__}"]
            out += ["```", ""]
            if doc:
                out += [markdown(doc), ""]
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).rstrip() + "\n"


def render_index(modules: list[str]) -> str:
    out = [
        "# API reference",
        "",
        "<!-- Generated by scripts/gen_api_docs.py from the docstrings; do not edit. -->",
        "",
        "Generated from the docstrings and signatures of the installed package by",
        "`scripts/gen_api_docs.py`; a test fails when these pages are out of date. Units and",
        "shapes are in every docstring; the guide is [docs/guide/python.md](../guide/python.md).",
        "",
        "| module | what |",
        "|---|---|",
    ]
    for name in modules:
        module = importlib.import_module(name)
        summary = inspect.cleandoc(module.__doc__ or "").split("\n\n", 1)[0]
        summary = _inline(" ".join(summary.split())).replace("|", "\\|")
        out.append(f"| [`{name}`]({page_name(name)}) | {summary} |")
    return "\n".join(out) + "\n"


def render_all() -> dict[str, str]:
    """File name in docs/api -> content, for every page."""
    modules = public_modules()
    pages = {"index.md": render_index(modules)}
    for name in modules:
        pages[page_name(name)] = render(name, modules)
    return pages


def _stale_install() -> list[str]:
    """Source files of the package that differ from the installed ones (a reinstall is due)."""
    import msk

    installed = Path(msk.__file__).resolve().parent
    if installed == SOURCE_PACKAGE.resolve() or not SOURCE_PACKAGE.is_dir():
        return []
    stale = []
    for source in sorted(SOURCE_PACKAGE.glob("*.py")):
        target = installed / source.name
        if not target.is_file() or target.read_bytes() != source.read_bytes():
            stale.append(source.name)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    stale = _stale_install()
    if stale:
        print(
            f"gen_api_docs: the installed msk differs from the source ({', '.join(stale)}); "
            "run scripts/install_python.sh first",
            file=sys.stderr,
        )
        return 2
    pages = render_all()
    if args.check:
        existing = {p.name: p.read_text(encoding="utf-8") for p in API_DIR.glob("*.md")}
        differ = sorted(n for n in set(pages) | set(existing) if pages.get(n) != existing.get(n))
        if differ:
            print(f"docs/api is out of date: {', '.join(differ)}", file=sys.stderr)
            return 1
        print("docs/api is up to date")
        return 0
    API_DIR.mkdir(parents=True, exist_ok=True)
    for old in API_DIR.glob("*.md"):
        if old.name not in pages:
            old.unlink()
    for name, text in pages.items():
        (API_DIR / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(pages)} pages to {API_DIR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
