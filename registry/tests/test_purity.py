"""Every pure module imports without Django: its own import loads no Django module (checked in a fresh process)."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

from registry.conftest import REPO_ROOT

# Whole packages that are pure libraries (every module but their tests and their command-line entry).
PURE_PACKAGES = ["registry.ofd", "registry.seal", "registry.workdays"]
# Pure modules that live beside Django code.
PURE_MODULES = [
    "registry.identifiers",
    "registry.clock",
    "registry.masking",
    "registry.errors",
    "registry.applications.workflow",
    "registry.applications.rules",
    "registry.applications.materials",
    "registry.certificates.document",
    "registry.certificates.layout",
    "registry.certificates.qr",
    "registry.certificates.receipt",
    "registry.certificates.outcomes",
    "registry.certificates.demo",
    "registry.certificates.verification",
]

_CHECK = """
import importlib, json, sys
for name in json.loads(sys.argv[1]):
    importlib.import_module(name)
    django = sorted(m for m in sys.modules if m == "django" or m.startswith("django."))
    if django:
        print(json.dumps({"module": name, "django": django[:5]}))
        sys.exit(1)
"""


def pure_modules() -> list[str]:
    """Return every pure module's dotted name."""
    names = list(PURE_MODULES)
    for package in PURE_PACKAGES:
        path = [str(REPO_ROOT / package.replace(".", "/"))]
        for info in pkgutil.walk_packages(path, prefix=package + "."):
            if ".tests" not in info.name and not info.name.endswith("__main__"):
                names.append(info.name)
        names.append(package)
    return sorted(set(names))


def test_the_list_of_pure_modules_names_real_modules():
    assert {"registry.ofd.writer", "registry.seal.verify", "registry.workdays.core"} <= set(pure_modules())


def test_no_pure_module_loads_django():
    result = subprocess.run([sys.executable, "-c", _CHECK, json.dumps(pure_modules())], cwd=REPO_ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, f"a pure module loaded Django: {result.stdout or result.stderr}"
