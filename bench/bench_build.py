"""Builds the benchmark programs (bench/README.md); shared by bench/compare
and bench/cluster_broadcast so both use the same RelWithDebInfo build.
"""
import os
import shutil
import subprocess
import sys

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
DEFAULT_BUILD = os.path.join(ROOT, "build-bench")
# Everything either script runs; one list, so a build for one serves both.
TARGETS = ["sockjs-loadgen", "sockjs-testserver", "sockjs-feedserver", "sockjs-clusternode"]


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def run(cmd, **kw):
    log("+ " + " ".join(cmd))
    subprocess.run(cmd, check=True, **kw)


def build(build_dir=DEFAULT_BUILD):
    """Configures build_dir (RelWithDebInfo, examples on, tests off) when it
    has no cache yet, then builds the targets. An existing build dir keeps its
    own configuration, so a developer's build dir can be reused as is."""
    if not os.path.exists(os.path.join(build_dir, "CMakeCache.txt")):
        gen = ["-G", "Ninja"] if shutil.which("ninja") else []
        run(["cmake", "-S", ROOT, "-B", build_dir, *gen, "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
             "-DSOCKJS_BUILD_EXAMPLES=ON", "-DSOCKJS_BUILD_TESTS=OFF"],
            stdout=subprocess.DEVNULL)
    with open(os.path.join(build_dir, "CMakeCache.txt")) as f:
        kind = next((line.strip().split("=", 1)[1] for line in f
                     if line.startswith("CMAKE_BUILD_TYPE:")), "")
    if kind not in ("RelWithDebInfo", "Release"):
        sys.exit(f"{build_dir} is a {kind or 'unoptimised'} build: benchmarks need "
                 "RelWithDebInfo or Release")
    run(["cmake", "--build", build_dir, "-j2", "--target", *TARGETS], stdout=subprocess.DEVNULL)
