"""The notebooks' requirements: what examples/notebooks/README.md tells users to install provides
every module the notebooks import and the commands it tells them to run."""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "examples" / "notebooks").glob("*.ipynb"))

# Module imported -> the distribution that provides it.
DISTRIBUTIONS = {"IPython": "ipykernel", "yaml": "pyyaml", "msk": "msk"}
# Commands the README runs -> the distribution that provides them.
COMMANDS = {"jupyter lab": "jupyterlab", "jupyter nbconvert": "nbconvert"}


def _pyproject() -> dict[str, list[str]]:
    """``{"": dependencies, extra: requirements}`` of pyproject.toml, by distribution name."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python < 3.11
        import tomli as tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]

    def names(requirements: list[str]) -> list[str]:
        return [re.split(r"[<>=!~\[ ;]", r, maxsplit=1)[0].lower() for r in requirements]

    out = {"": names(project["dependencies"])}
    for extra, requirements in project["optional-dependencies"].items():
        out[extra] = names(requirements)
    return out


def _imports(notebook: Path) -> set[str]:
    """Top-level modules the code cells of ``notebook`` import."""
    modules: set[str] = set()
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        lines = "".join(cell["source"]).splitlines()
        code = "\n".join(line for line in lines if not line.lstrip().startswith(("%", "!")))
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules.add(node.module.split(".")[0])
    return modules


def test_the_notebooks_extra_provides_every_import_and_command() -> None:
    requirements = _pyproject()
    installed = set(requirements[""]) | set(requirements["notebooks"]) | {"msk"}
    assert NOTEBOOKS, "no notebooks found"
    for notebook in NOTEBOOKS:
        for module in sorted(_imports(notebook)):
            if module in sys.stdlib_module_names:
                continue
            distribution = DISTRIBUTIONS.get(module, module).lower()
            assert distribution in installed, (
                f"{notebook.name} imports {module}: add {distribution} to the notebooks extra"
            )
    readme = (ROOT / "examples" / "notebooks" / "README.md").read_text(encoding="utf-8")
    assert 'pip install ".[notebooks]"' in readme
    for command, distribution in COMMANDS.items():
        assert command in readme, command
        assert distribution in requirements["notebooks"], distribution


def test_the_readme_lists_every_notebook() -> None:
    readme = (ROOT / "examples" / "notebooks" / "README.md").read_text(encoding="utf-8")
    for notebook in NOTEBOOKS:
        assert f"`{notebook.name}`" in readme, f"{notebook.name}: add it to the README's table"
