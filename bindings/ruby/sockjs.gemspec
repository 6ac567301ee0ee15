# frozen_string_literal: true

require_relative "lib/sockjs/version"

Gem::Specification.new do |spec|
  spec.name = "sockjs"
  spec.version = SockJS::VERSION
  spec.summary = "SockJS server for Ruby, on libsockjs"
  spec.description = "A SockJS server (WebSocket plus the HTTP fallback transports of " \
                     "sockjs-client) as a Ruby API over the libsockjs C library."
  spec.authors = ["libsockjs contributors"]
  spec.required_ruby_version = ">= 3.0"
  spec.files = Dir["lib/**/*.rb", "ext/extconf.rb", "ext/sockjs_ext.i", "ext/sockjs_ext_wrap.c",
                   "examples/*.rb", "README.md"]
  spec.extensions = ["ext/extconf.rb"]
  spec.require_paths = ["lib"]
  spec.metadata["rubygems_mfa_required"] = "true"
end
