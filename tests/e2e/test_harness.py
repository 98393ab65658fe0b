"""The test runners themselves: a suite that cannot run is never counted
as passed where it must run."""
import os
import subprocess

from stack import ROOT

SPEC_TEST = ROOT / "build" / "unit" / "tmpl_spec_test"


def run(env_extra, *cmd):
    env = {k: v for k, v in os.environ.items()
           if k not in ("CI", "MUSTACHE_SPEC_REQUIRED", "MUSTACHE_SPEC_DIR")}
    env.update(env_extra)
    return subprocess.run(list(cmd), cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_missing_mustache_spec_fails_in_ci_and_is_skipped_elsewhere():
    subprocess.run(["make", "--no-print-directory", str(SPEC_TEST)],
                   cwd=ROOT, check=True, capture_output=True, timeout=600)
    missing = {"MUSTACHE_SPEC_DIR": "/nonexistent-spec-dir"}
    r = run({**missing, "CI": "true"}, str(SPEC_TEST))
    assert r.returncode != 0, r.stdout
    assert "required" in r.stdout + r.stderr
    r = run({**missing, "MUSTACHE_SPEC_REQUIRED": "1"}, str(SPEC_TEST))
    assert r.returncode != 0
    # Locally, without the spec: skipped, and the summary says so instead
    # of counting it as passed.
    r = run(missing, "scripts/run-unit.sh", "check", str(SPEC_TEST))
    assert r.returncode == 0, r.stdout
    assert "SKIPPED" in r.stdout
    assert "0 binaries passed, 0 failed, 1 skipped" in r.stdout, r.stdout
    # With the spec (where this checkout has it), it runs and passes.
    if (ROOT.parent / "shared" / "mustache-spec").is_dir():
        r = run({"CI": "true"}, str(SPEC_TEST))
        assert r.returncode == 0, r.stdout[-2000:]
        assert "SKIPPED" not in r.stdout
