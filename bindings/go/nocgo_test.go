//go:build !cgo

package sockjs

import (
	"errors"
	"testing"
)

func TestNoCgo(t *testing.T) {
	if _, err := NewServer(Options{}); !errors.Is(err, ErrNoCgo) {
		t.Fatalf("NewServer without cgo: %v", err)
	}
}
