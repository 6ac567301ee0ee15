module github.com/libsockjs/libsockjs/bindings/go

go 1.21
