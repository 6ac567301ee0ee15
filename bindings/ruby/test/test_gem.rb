# frozen_string_literal: true

require "test_helper"
require "tmpdir"
require "fileutils"
require "open3"

# `gem build` + `gem install --local` into a throw-away GEM_HOME, both ways
# the extension can find libsockjs, then the installed gem serves a client.
class TestGem < Minitest::Test
  include SockJSTestHelpers

  GEM = File.join(RbConfig::CONFIG["bindir"], "gem")

  def setup
    @build = ENV["SOCKJS_BUILD_DIR"]
    skip "SOCKJS_BUILD_DIR not set (run through ctest)" unless @build && File.directory?(@build)
    skip "no gem command" unless File.executable?(GEM)
    @tmp = Dir.mktmpdir("sockjs-gem")
  end

  def teardown
    FileUtils.rm_rf(@tmp) if @tmp
  end

  # Runs a command with a clean Ruby environment; returns stdout.
  def run!(env, *cmd, chdir: @tmp)
    clean = { "RUBYLIB" => nil, "RUBYOPT" => nil, "GEM_PATH" => nil, "BUNDLE_GEMFILE" => nil }
    out, status = Open3.capture2e(clean.merge(env), *cmd, chdir: chdir)
    assert status.success?, "#{cmd.join(' ')} failed:\n#{out}"
    out
  end

  def build_and_install(source_dir, env)
    run!({}, GEM, "build", "sockjs.gemspec", "-o", File.join(@tmp, "sockjs.gem"), chdir: source_dir)
    home = File.join(@tmp, "home")
    run!(env.merge("GEM_HOME" => home), GEM, "install", "--local", "--no-document",
         File.join(@tmp, "sockjs.gem"))
    home
  end

  # The installed gem, not the source tree, must be what loads.
  def assert_installed_gem_serves(home, env = {})
    script = <<~RUBY
      require "sockjs"
      raise "loaded from \#{$LOADED_FEATURES.grep(/sockjs_ext/)}" unless $LOADED_FEATURES.grep(/sockjs_ext/).first.start_with?(ENV["GEM_HOME"])
      SockJS::Server.open do |server|
        server.add_service("/echo")
        puts server.listen
      end
    RUBY
    out = run!(env.merge("GEM_HOME" => home), RbConfig.ruby, "-e", script)
    assert_match(/\A\d+\n\z/, out)
  end

  def test_in_tree_build_gem_runs_the_echo_example
    home = build_and_install(ROOT, "SOCKJS_BUILD_DIR" => @build, "SOCKJS_SOURCE_DIR" => nil)
    assert_installed_gem_serves(home)

    echo = Dir[File.join(home, "gems", "sockjs-*", "examples", "echo.rb")].first
    refute_nil echo, "examples are in the gem"
    out_r, out_w = IO.pipe
    env = { "GEM_HOME" => home, "RUBYLIB" => nil, "RUBYOPT" => nil }
    pid = Process.spawn(env, RbConfig.ruby, echo, "--port", "0", out: out_w, err: $stderr)
    out_w.close
    port = Timeout.timeout(15) { out_r.gets }[/:(\d+)$/, 1].to_i
    ws = sockjs_ws(port, "/echo")
    ws.send_text('["from the gem"]')
    assert_equal 'a["from the gem"]', ws.read_text
    ws.close
    assert_predicate stop_example(pid), :success?
  ensure
    out_r&.close
  end

  def test_pkg_config_gem_with_pregenerated_wrapper
    skip "built without install rules (SOCKJS_INSTALL=OFF)" unless File.exist?(File.join(@build, "sockjs.pc"))
    prefix = File.join(@tmp, "prefix")
    run!({}, "cmake", "--install", @build, "--prefix", prefix)
    pc = Dir[File.join(prefix, "**", "pkgconfig", "sockjs.pc")].first
    refute_nil pc
    # The .pc holds the configure-time prefix; point it at this copy.
    File.write(pc, File.read(pc).sub(/^prefix=.*$/, "prefix=#{prefix}"))

    source = File.join(@tmp, "src")
    FileUtils.mkdir_p(source)
    FileUtils.cp_r(%w[lib ext examples sockjs.gemspec].map { |f| File.join(ROOT, f) }, source)
    run!({}, "swig", "-ruby", "-initname", "sockjs_ext", "-I#{File.join(prefix, 'include')}",
         "-o", "ext/sockjs_ext_wrap.c", "ext/sockjs_ext.i", chdir: source)
    # The gem ships the generated wrapper, so installing it needs no swig.
    home = build_and_install(source, "SOCKJS_BUILD_DIR" => nil, "PKG_CONFIG_PATH" => File.dirname(pc))
    shipped = Dir[File.join(home, "gems", "sockjs-*", "ext", "sockjs_ext_wrap.c")].first
    refute_nil shipped
    so = Dir[File.join(home, "gems", "sockjs-*", "lib", "sockjs_ext.so")].first
    assert_match(/libsockjs\.so/, run!({}, "ldd", so), "linked against the installed library")
    assert_installed_gem_serves(home)
  end
end
