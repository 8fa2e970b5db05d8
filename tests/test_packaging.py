"""The built wheel, used outside the checkout: the knowledge base travels with it, and the
experta compatibility shim leaves the host process as it found it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

import pytest

from tests.conftest import REPO, SCENARIOS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The wheel built from this checkout, unpacked as an installation would lay it out."""
    dist = tmp_path_factory.mktemp("dist")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(REPO)],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    wheel = next(dist.glob("ipsexpert-*.whl"))
    site = tmp_path_factory.mktemp("site")
    zipfile.ZipFile(wheel).extractall(site)
    return site


def run_installed(site, *args, code=None, cwd):
    command = [sys.executable] + (["-c", code] if code else ["-m", "ipsexpert", *args])
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=env)


def test_wheel_carries_the_knowledge_base(installed):
    assert (installed / "ipsexpert" / "rules" / "knowledge-base.yaml").is_file()
    assert len(list((installed / "ipsexpert" / "rules" / "recommendations").glob("R*.yaml"))) == 23
    assert len(list((installed / "ipsexpert" / "facts").glob("*.yaml"))) == 6


def test_installed_package_evaluates_outside_the_checkout(installed, tmp_path):
    shutil.copy(SCENARIOS / "digisos-norway.yaml", tmp_path / "digisos.yaml")
    result = run_installed(installed, "evaluate", "digisos.yaml", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert '"R15"' in result.stdout
    check = run_installed(installed, "kb", "check", cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert str(installed) in check.stdout


def test_embedding_changes_nothing_in_the_host_process(installed, tmp_path):
    code = (
        "import collections, logging\n"
        "root = logging.getLogger()\n"
        "handlers = list(root.handlers)\n"
        "assert not hasattr(collections, 'Mapping')\n"
        "import ipsexpert\n"
        "report = ipsexpert.evaluate({'phase': 'design', 'funding': 'none'})\n"
        "assert report.outcomes['R05'] == 'advised'\n"
        "assert ipsexpert.__file__.startswith(%r), ipsexpert.__file__\n"
        "assert not hasattr(collections, 'Mapping'), 'alias left behind'\n"
        "assert list(root.handlers) == handlers, 'root logger changed'\n"
        "print('clean')\n" % str(installed))
    result = run_installed(installed, code=code, cwd=tmp_path)
    assert result.returncode == 0 and "clean" in result.stdout, result.stderr
