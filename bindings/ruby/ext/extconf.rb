# frozen_string_literal: true

# Builds sockjs_ext.so at `gem install` time, against either
#   - an in-tree CMake build: SOCKJS_BUILD_DIR=/path/to/build (static link of
#     build/lib/libsockjs.a; the sources are found through its CMakeCache, or
#     SOCKJS_SOURCE_DIR), or
#   - an installed libsockjs found by pkg-config (`pkg-config sockjs`).
# The SWIG wrapper is shipped pre-generated when the gem was packed with
# one; otherwise swig (4.x) runs here.
require "mkmf"

def abort_with(message)
  warn "sockjs: #{message}"
  abort
end

def from_cmake_cache(build_dir)
  cache = File.join(build_dir, "CMakeCache.txt")
  return nil unless File.exist?(cache)

  File.foreach(cache) { |line| return Regexp.last_match(1) if line =~ /^sockjs_SOURCE_DIR:STATIC=(.*)$/ }
  nil
end

build_dir = ENV["SOCKJS_BUILD_DIR"]
if build_dir && !build_dir.empty?
  build_dir = File.expand_path(build_dir)
  source_dir = ENV["SOCKJS_SOURCE_DIR"] || from_cmake_cache(build_dir)
  archive = File.join(build_dir, "lib", "libsockjs.a")
  abort_with("#{archive} not found; build libsockjs first") unless File.exist?(archive)
  abort_with("set SOCKJS_SOURCE_DIR to the libsockjs sources") unless source_dir
  $INCFLAGS << " -I#{File.join(source_dir, 'include')}"
  # The static core needs what libsockjs.so would have brought along. zlib
  # (permessage-deflate) and hiredis (the cluster backplane) only when this
  # archive uses them: a symbol it calls names the dependency.
  deps = %w[libevent_core libevent_pthreads libcjson]
  contents = File.binread(archive)
  { "zlib" => "deflateInit2_", "hiredis" => "redisAsyncConnect" }.each do |pc, symbol|
    deps << pc if contents.include?(symbol)
  end
  deps.each { |pc| pkg_config(pc) || abort_with("pkg-config cannot find #{pc} (needed by #{archive})") }
  $LOCAL_LIBS << " #{archive}"
  $libs << " -lstdc++ -lpthread"
  $LDFLAGS << " -Wl,--exclude-libs,ALL"
elsif pkg_config("sockjs")
  # An installed shared library: remember where, so no LD_LIBRARY_PATH is needed.
  libdir = `pkg-config --variable=libdir sockjs`.strip
  $LDFLAGS << " -Wl,-rpath,#{libdir}" unless libdir.empty?
else
  abort_with("libsockjs not found: install it (pkg-config sockjs) or set SOCKJS_BUILD_DIR")
end

have_header("sockjs.h") || abort_with("sockjs.h not found")

wrapper = File.join(__dir__, "sockjs_ext_wrap.c")
unless File.exist?(wrapper)
  swig = find_executable("swig") || abort_with("swig is needed to generate the extension")
  include_dirs = $INCFLAGS.scan(/-I(\S+)/).flatten
  include_dirs << pkg_config("sockjs", "cflags-only-I").to_s.scan(/-I(\S+)/).flatten.first if build_dir.nil?
  args = [swig, "-ruby", "-initname", "sockjs_ext", *include_dirs.compact.map { |d| "-I#{d}" },
          "-o", "sockjs_ext_wrap.c", File.join(__dir__, "sockjs_ext.i")]
  system(*args) || abort_with("#{args.join(' ')} failed")
end
$srcs = ["sockjs_ext_wrap.c"]
$CFLAGS << " -w" # generated code

create_makefile("sockjs_ext")
