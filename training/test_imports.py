"""Every third-party module the training code imports comes from a Debian package that the README's test command
installs (scripts/test.sh `APT_PACKAGES`). Runs first in training/smoke.sh.

Why here and not as a plain import attempt: on a machine where someone installed a package by hand (CI once had
python3-opencv that way) every import succeeds, and the missing package only shows on a user's fresh machine. So
this reads the imports of every .py file under training/ with `ast` (function-local and `__import__('…')` ones
included) and checks each against the package list itself. A module that is neither standard library
(`sys.stdlib_module_names`), nor the project's own `training.*`, nor in `DEBIAN_PACKAGES` below fails the test:
add its package to APT_PACKAGES (and the README's Test section) and to `DEBIAN_PACKAGES`.

Run: /usr/bin/python3 -m unittest training.test_imports -v
"""

from __future__ import annotations

import ast
import importlib.util
import re
import shlex
import shutil
import subprocess
import sys
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRAINING = ROOT / 'training'
TEST_SH = ROOT / 'scripts' / 'test.sh'

# Top-level import name → the Debian package that provides it to /usr/bin/python3.
DEBIAN_PACKAGES = {
    'cv2': 'python3-opencv',
    'numpy': 'python3-numpy',
    'PIL': 'python3-pil',
    'torch': 'python3-torch',
}

# The project's own package: `from .models import …` and `training.models` need no system package.
OWN = 'training'


def apt_packages(script: str) -> set[str]:
    """The `APT_PACKAGES=(…)` bash array of scripts/test.sh, split as bash would (quotes, comments, new lines)."""
    m = re.search(r'^APT_PACKAGES=\((.*?)\)', script, re.M | re.S)
    if m is None:
        raise ValueError('scripts/test.sh has no APT_PACKAGES=(…) array')
    return set(shlex.split(m.group(1), comments=True))


def imported_modules(source: str, filename: str = '<source>') -> list[tuple[int, str | None]]:
    """(line, top-level module) of every absolute import in `source`, at any depth (inside functions too), plus
    `__import__('x')` and `importlib.import_module('x')` calls; module is None where such a call's name is not a
    string literal (that cannot be checked, so it is reported)."""
    found: list[tuple[int, str | None]] = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split('.')[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split('.')[0]))
        elif isinstance(node, ast.Call) and _is_dynamic_import(node.func):
            arg = node.args[0] if node.args else None
            name = arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None
            # importlib.import_module('.x', package) is relative: the project's own module.
            found.append((node.lineno, None if name is None else OWN if name.startswith('.') else name.split('.')[0]))
    return found


def _is_dynamic_import(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in ('__import__', 'import_module')
    return isinstance(func, ast.Attribute) and func.attr == 'import_module'


def training_sources() -> dict[str, str]:
    """Source of every .py file under training/ by its repository path, found afresh on each run so that files added
    later (in subfolders too) are checked as well. The git-ignored download cache is not ours: extracted packages
    (e.g. Blender's scripts) carry Python files of their own."""
    return {
        p.relative_to(ROOT).as_posix(): p.read_text(encoding='utf-8')
        for p in sorted(TRAINING.rglob('*.py'))
        if '__pycache__' not in p.parts and '.cache' not in p.relative_to(TRAINING).parts
    }


def unprovided(sources: dict[str, str], packages: set[str]) -> list[str]:
    """One line per import in `sources` (path → text) that neither `packages` nor the standard library provides."""
    problems = []
    for where, source in sources.items():
        for line, module in imported_modules(source, where):
            if module is None:
                problems.append(f'{where}:{line}: dynamic import of a computed name; import the module by name')
            elif module in sys.stdlib_module_names or module == OWN:
                continue
            elif module not in DEBIAN_PACKAGES:
                problems.append(
                    f'{where}:{line}: imports {module!r}, which no known Debian package provides: add its package to '
                    'APT_PACKAGES in scripts/test.sh (and the README Test section) and to DEBIAN_PACKAGES in '
                    'training/test_imports.py'
                )
            elif DEBIAN_PACKAGES[module] not in packages:
                problems.append(
                    f'{where}:{line}: imports {module!r} from {DEBIAN_PACKAGES[module]}, which APT_PACKAGES in '
                    'scripts/test.sh does not install (add it there and to the README Test section)'
                )
    return problems


def dpkg_owners(path: str) -> set[str]:
    """Debian packages that installed `path` (`dpkg-query -S` prints "pkg[:arch][, pkg…]: path"); empty if none."""
    out = subprocess.run(['dpkg-query', '-S', path], capture_output=True, text=True)
    if out.returncode != 0:
        return set()
    return {owner.split(':')[0] for owner in out.stdout.splitlines()[0].rsplit(': ', 1)[0].split(', ')}


class ImportsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.packages = apt_packages(TEST_SH.read_text(encoding='utf-8'))
        cls.sources = training_sources()

    def test_every_training_import_is_installed_by_the_test_command(self):
        problems = unprovided(self.sources, self.packages)
        if problems:
            self.fail('\n'.join(['imports that the README test command installs no package for:', *problems]))

    def test_scans_every_training_module(self):
        self.assertLessEqual(
            {'training/sky_data.py', 'training/train.py', 'training/test_pipeline.py', 'training/test_imports.py'},
            set(self.sources),
        )

    def test_reads_the_package_list_of_the_test_script(self):
        self.assertLessEqual({'chromium', 'python3-torch', 'python3-numpy'}, self.packages)
        self.assertEqual(
            apt_packages('set -e\nAPT_PACKAGES=(\n  chromium  # the browser tests\n  "python3-pil"\n)\nX=(a)\n'),
            {'chromium', 'python3-pil'},
        )
        with self.assertRaises(ValueError):
            apt_packages('PACKAGES=(a b)')

    def test_would_have_caught_the_missing_opencv(self):
        # The bug this file exists for: sky_data.py imports cv2 inside a function, and python3-opencv was not listed.
        sky_data = {'training/sky_data.py': self.sources['training/sky_data.py']}
        problems = unprovided(sky_data, self.packages - {'python3-opencv'})
        self.assertTrue(problems)
        self.assertTrue(all("imports 'cv2' from python3-opencv" in p for p in problems), problems)

    def test_finds_imports_at_any_depth_and_in_every_form(self):
        source = '\n'.join([
            'from __future__ import annotations',
            'import os.path, json as j',
            'from PIL import Image',
            'from . import data',
            'from .models import Generator',
            'from training.sheets import grid',
            'def f():',
            '    import cv2',
            '    try:',
            '        from skimage.transform import resize',
            '    except ImportError:',
            '        pass',
            "    return __import__('torch.nn', fromlist=['nn']), importlib.import_module('scipy.ndimage')",
            "name = 'x'",
            'm = __import__(name)',
        ])
        self.assertEqual(
            sorted(imported_modules(source), key=lambda t: (t[0], t[1] or '')),
            [
                (1, '__future__'),
                (2, 'json'),
                (2, 'os'),
                (3, 'PIL'),
                (6, 'training'),
                (8, 'cv2'),
                (10, 'skimage'),
                (13, 'scipy'),
                (13, 'torch'),
                (15, None),
            ],
        )

    def test_unknown_third_party_modules_fail(self):
        problems = unprovided({'training/new.py': 'import os\nimport yaml\n'}, self.packages)
        self.assertEqual(len(problems), 1)
        self.assertIn("training/new.py:2: imports 'yaml', which no known Debian package provides", problems[0])

    @unittest.skipUnless(shutil.which('dpkg-query'), 'not a Debian system: the package names cannot be checked')
    def test_each_mapped_module_comes_from_its_package(self):
        # Guards the table itself: a wrong package name here would let a missing package through.
        for module, package in DEBIAN_PACKAGES.items():
            if package not in self.packages:
                continue
            with self.subTest(module=module):
                spec = importlib.util.find_spec(module)
                self.assertIsNotNone(spec, f'{module} is not importable: is {package} installed?')
                owners = dpkg_owners(spec.origin)
                if not owners:
                    # A pip copy (e.g. in ~/.local) shadows the Debian one here: the table cannot be checked.
                    self.skipTest(f'{module} loads from {spec.origin}, which no Debian package installed')
                self.assertIn(package, owners, f'{module} loads from {spec.origin}, installed by {owners}')

if __name__ == '__main__':
    unittest.main()
