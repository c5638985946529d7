"""The one build step pyproject.toml cannot declare: the Qt Designer forms (xinfang_desktop/ui/*.ui)
compiled to Python modules inside the wheel, since an installed program never runs pyside6-uic.
Everything else about the package is in pyproject.toml."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildPyWithForms(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return      # a checkout compiles its forms on first use (xinfang_desktop/gui/forms)
        # Loaded by file: importing the package here would import its dependencies.
        spec = importlib.util.spec_from_file_location("_xinfang_forms",
                                                      ROOT / "xinfang_desktop" / "gui" / "forms" / "__init__.py")
        forms = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(forms)
        out = Path(self.build_lib) / "xinfang_desktop" / "gui" / "forms"
        out.mkdir(parents=True, exist_ok=True)
        for path in forms.compile_all(out):
            print(f"compiled form {path.name}")


setup(cmdclass={"build_py": BuildPyWithForms})
