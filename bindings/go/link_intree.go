//go:build cgo && !sockjs_system

package sockjs

// Default: the in-tree CMake build (cmake -B build at the repository root).
// CGO_CFLAGS / CGO_LDFLAGS from the environment come first and so win, for
// another build directory; build with -tags sockjs_system for an installed
// library found through pkg-config.

// #cgo CFLAGS: -I${SRCDIR}/../../include
// #cgo LDFLAGS: -L${SRCDIR}/../../build/lib -lsockjs -Wl,-rpath,${SRCDIR}/../../build/lib
import "C"
