//go:build cgo && sockjs_system

package sockjs

// An installed libsockjs (cmake --install), found through sockjs.pc.

// #cgo pkg-config: sockjs
import "C"
