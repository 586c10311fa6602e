"""The layers of DESIGN.md are enforced: an import that breaks one fails `make lint`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree)},
    )


def copy_tree(tmp_path: Path) -> Path:
    for name in ("niryat", "fakes"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_a_lower_app_importing_a_higher_one_fails_lint(tmp_path: Path) -> None:
    tree = copy_tree(tmp_path)
    (tree / "niryat" / "registry" / "sneaky.py").write_text(
        "from niryat.channels.models import Listing  # the registry reaching up\n"
    )
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "niryat.registry is not allowed to import niryat.channels" in result.stdout
    assert "niryat.registry.sneaky -> niryat.channels.models" in result.stdout


def test_product_code_importing_a_fake_fails_lint(tmp_path: Path) -> None:
    tree = copy_tree(tmp_path)
    (tree / "niryat" / "channels" / "shortcut.py").write_text(
        "from fakes.amazon import FakeAmazon\n"
    )
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "Product code never imports the fake marketplaces BROKEN" in result.stdout
