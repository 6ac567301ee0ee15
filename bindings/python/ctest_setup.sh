#!/bin/sh
# CTest fixture for the Python binding: a virtualenv in the build tree with
# the binding pip-installed from this source tree (the wheel build compiles
# libsockjs once more, in its own build dir, kept for incremental reruns)
# plus the test tools.
#   ctest_setup.sh PYTHON VENV_DIR SOURCE_DIR WHEEL_BUILD_DIR
set -eu
python=$1 venv=$2 src=$3 build=$4
[ -x "$venv/bin/python" ] || "$python" -m venv --system-site-packages "$venv"
pip="$venv/bin/python -m pip --disable-pip-version-check -q"
$pip install "pytest>=7" "pytest-asyncio>=0.24" "mypy>=1.8" "prometheus_client>=0.17"
CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2} \
  $pip install --force-reinstall --no-deps -C build-dir="$build" "$src"
"$venv/bin/python" -c "import sockjs; print('sockjs', sockjs.__version__, 'from', sockjs.__file__)"
