"""The command line: python -m registry.seal verify / demo-pki, and the package's purity."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from registry.seal.__main__ import main
from registry.seal.certs import pem_certificate

from .conftest import REPO_ROOT

SAMPLES = Path("standards") / "ofd-samples"


@pytest.fixture
def sealed_file(tmp_path: Path, sealed_ofd: bytes) -> Path:
    path = tmp_path / "certificate.ofd"
    path.write_bytes(sealed_ofd)
    return path


def test_a_valid_file_exits_0_and_says_the_chain_was_not_checked(sealed_file: Path, capsys) -> None:
    assert main(["verify", str(sealed_file)]) == 0

    out = capsys.readouterr().out
    assert f"{sealed_file}: VALID" in out
    assert "skipped  cert.chain [1]: Chain to a trusted root not checked" in out


def test_the_trust_option_checks_the_chain(sealed_file: Path, authority, other_authority, tmp_path: Path,
                                           capsys) -> None:
    good, bad = tmp_path / "root.pem", tmp_path / "other.pem"
    good.write_bytes(pem_certificate(authority.trust_root))
    bad.write_bytes(pem_certificate(other_authority.trust_root))

    assert main(["verify", str(sealed_file), "--trust", str(good)]) == 0
    assert main(["verify", str(sealed_file), "--trust", str(bad)]) == 1
    assert "First failing step: cert.chain" in capsys.readouterr().out


def test_an_expired_seal_exits_1_naming_the_seal_validity_step(shared_dir: Path, capsys) -> None:
    assert main(["verify", str(shared_dir / SAMPLES / "ofdrw-reader_SESV4SignDoc.ofd")]) == 1

    assert "First failing step: seal.validity: Seal had expired" in capsys.readouterr().out


def test_the_at_option_moves_the_validity_checks(shared_dir: Path) -> None:
    path = str(shared_dir / SAMPLES / "ofdrw-reader_SESV4SignDoc.ofd")

    assert main(["verify", path, "--at", "2021-06-01T00:00:00Z"]) == 0


def test_a_file_that_is_not_an_ofd_exits_2(tmp_path: Path, capsys) -> None:
    path = tmp_path / "x.ofd"
    path.write_bytes(b"hello")

    assert main(["verify", str(path)]) == 2
    assert main(["verify", str(tmp_path / "absent.ofd")]) == 2


def test_json_output_lists_every_step_with_its_code(shared_dir: Path, capsys) -> None:
    main(["verify", str(shared_dir / SAMPLES / "ofdrw-converter_n.ofd"), "--json"])

    result = json.loads(capsys.readouterr().out)
    assert result["verdict"] == "invalid"
    assert result["first_failure"]["code"] == "reference.digest"
    assert result["first_failure"]["params"]["file"] == "Doc_0/Document.xml"
    assert {"code", "status", "message", "signature", "params"} <= set(result["steps"][0])


def test_strict_mode_fails_uncovered_files(shared_dir: Path) -> None:
    path = str(shared_dir / SAMPLES / "ofdrw-converter_999.ofd")

    assert main(["verify", path]) == 0
    assert main(["verify", path, "--strict"]) == 1


def test_demo_pki_writes_keys_certificates_and_the_seal(tmp_path: Path) -> None:
    assert main(["demo-pki", str(tmp_path / "pki")]) == 0

    names = {path.name for path in (tmp_path / "pki").iterdir()}
    assert {"root.pem", "seal-maker.pem", "signer.pem", "signer.key.pem", "seal.esl", "seal.png"} <= names
    assert (tmp_path / "pki" / "signer.key.pem").stat().st_mode & 0o077 == 0


def test_the_seal_package_never_imports_django() -> None:
    code = (
        "import sys, registry.seal, registry.seal.__main__, registry.seal.verify, registry.seal.demo;"
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=False)

    assert result.returncode == 0, result.stderr


def test_the_command_runs_as_a_module(sealed_file: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "registry.seal", "verify", str(sealed_file), "--json"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=False,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["verdict"] == "valid"


def test_a_file_larger_than_a_package_may_be_is_refused_before_it_is_read(tmp_path, capsys, monkeypatch) -> None:
    from registry.ofd.package import MAX_PACKAGE_BYTES
    from registry.seal import __main__ as cli

    huge = tmp_path / "huge.ofd"
    with huge.open("wb") as stream:
        stream.truncate(MAX_PACKAGE_BYTES + 1)  # sparse: no disk used
    monkeypatch.setattr(cli, "verify_ofd", lambda *a, **k: pytest.fail("the verifier must not see the bytes"))

    assert main(["verify", str(huge)]) == 2
    assert "larger than an OFD package may be" in capsys.readouterr().err
