// mohq_process: child processes are started, waited for with a bound, stopped by pid and always reaped;
// free ports are bindable; temp dirs go away unless MOHQ_KEEP_TMP=1.
#define BOOST_TEST_MODULE process
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "process/child_process.hpp"
#include "process/free_port.hpp"
#include "process/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using mohq::process::ChildProcess;
using mohq::process::ExitStatus;
using mohq::process::SpawnOptions;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

ChildProcess spawn_sh(const std::string& script, const fs::path& output = {}) {
  SpawnOptions options;
  options.argv = {"sh", "-c", script};
  options.stdout_path = output;
  options.stderr_path = output;
  auto child = ChildProcess::spawn(options);
  BOOST_TEST_REQUIRE(child.has_value(), (child.has_value() ? std::string() : child.error()));
  return std::move(*child);
}

// Our own child, reaped by us: no zombie left (waitpid knows nothing of it any more).
bool reaped(pid_t pid) {
  int raw = 0;
  return ::waitpid(pid, &raw, WNOHANG) == -1 && errno == ECHILD;
}

// Any process: gone, or dead and waiting for its (new) parent to reap it. Polls for up to a second.
bool not_running(pid_t pid) {
  for (int i = 0; i < 100; ++i) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    if (!stat) return true;
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    auto close = text.rfind(')');
    if (close != std::string::npos && close + 2 < text.size() && text[close + 2] == 'Z') return true;
    ::usleep(10000);
  }
  return false;
}

bool bindable_udp(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(child_process)

BOOST_AUTO_TEST_CASE(exit_code_is_reported_and_the_child_reaped) {
  auto child = spawn_sh("exit 3");
  auto status = child.wait_for(5s);
  BOOST_TEST_REQUIRE(status.has_value());
  BOOST_TEST(status->exited_with(3));
  BOOST_TEST(status->describe() == "exit code 3");
  BOOST_TEST(!child.running());
  BOOST_TEST(reaped(child.pid()));
}

BOOST_AUTO_TEST_CASE(missing_program_is_an_error_naming_it) {
  SpawnOptions options;
  options.argv = {"/nonexistent/mohq-no-such-program"};
  auto child = ChildProcess::spawn(options);
  BOOST_TEST_REQUIRE(!child.has_value());
  BOOST_TEST(child.error().find("cannot execute /nonexistent/mohq-no-such-program") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(output_goes_to_the_given_file_and_env_additions_apply) {
  auto dir = mohq::process::make_temp_dir("mohq-ut-");
  BOOST_TEST_REQUIRE(dir.has_value());
  SpawnOptions options;
  options.argv = {"sh", "-c", "echo out:$MOHQ_TEST_VALUE; echo err >&2; pwd"};
  options.env = {{"MOHQ_TEST_VALUE", "42"}};
  options.stdout_path = dir->path() / "out.log";
  options.stderr_path = dir->path() / "err.log";
  options.working_dir = dir->path();
  auto child = ChildProcess::spawn(options);
  BOOST_TEST_REQUIRE(child.has_value());
  BOOST_TEST_REQUIRE(child->wait_for(5s).has_value());
  BOOST_TEST(read_file(dir->path() / "out.log") == "out:42\n" + dir->path().string() + "\n");
  BOOST_TEST(read_file(dir->path() / "err.log") == "err\n");
}

BOOST_AUTO_TEST_CASE(wait_for_is_bounded) {
  auto child = spawn_sh("sleep 30");
  auto start = std::chrono::steady_clock::now();
  BOOST_TEST(!child.wait_for(100ms).has_value());
  BOOST_TEST((std::chrono::steady_clock::now() - start < 2s));
  BOOST_TEST(child.running());
  auto status = child.terminate(2s);
  BOOST_TEST((status.kind == ExitStatus::Kind::signaled && status.value == SIGTERM));
  BOOST_TEST(reaped(child.pid()));
}

BOOST_AUTO_TEST_CASE(terminate_kills_what_ignores_sigterm_and_its_group) {
  auto dir = mohq::process::make_temp_dir("mohq-ut-");
  BOOST_TEST_REQUIRE(dir.has_value());
  const fs::path pid_file = dir->path() / "grandchild.pid";
  // The shell ignores SIGTERM and leaves a grandchild behind in its process group.
  auto child = spawn_sh("trap '' TERM; sleep 30 & echo $! > " + pid_file.string() + "; wait; wait");
  for (int i = 0; i < 200 && read_file(pid_file).empty(); ++i) usleep(10000);
  const pid_t grandchild = std::stoi(read_file(pid_file));
  auto start = std::chrono::steady_clock::now();
  auto status = child.terminate(300ms);
  BOOST_TEST((std::chrono::steady_clock::now() - start < 3s));
  BOOST_TEST((status.kind == ExitStatus::Kind::signaled && status.value == SIGKILL));
  BOOST_TEST(reaped(child.pid()));
  BOOST_TEST(not_running(grandchild));
}

BOOST_AUTO_TEST_CASE(destructor_stops_a_running_child) {
  pid_t pid = -1;
  {
    auto child = spawn_sh("sleep 30");
    pid = child.pid();
    BOOST_TEST(child.running());
  }
  BOOST_TEST(reaped(pid));
}

BOOST_AUTO_TEST_CASE(moved_from_child_does_not_stop_the_process) {
  auto child = spawn_sh("sleep 30");
  ChildProcess moved = std::move(child);
  BOOST_TEST(moved.running());
  BOOST_TEST(::kill(moved.pid(), 0) == 0);
  moved.terminate(2s);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(free_ports)

BOOST_AUTO_TEST_CASE(single_port_is_bindable) {
  auto port = mohq::process::find_free_udp_port("127.0.0.1");
  BOOST_TEST_REQUIRE(port.has_value());
  BOOST_TEST(bindable_udp(*port));
}

BOOST_AUTO_TEST_CASE(block_starts_even_and_every_port_is_bindable) {
  auto first = mohq::process::find_free_udp_port_block("127.0.0.1", 10);
  BOOST_TEST_REQUIRE(first.has_value());
  BOOST_TEST(*first % 2 == 0);
  for (unsigned i = 0; i < 10; ++i) BOOST_TEST(bindable_udp(static_cast<std::uint16_t>(*first + i)));
  auto pair = mohq::process::find_free_port_pair("127.0.0.1");
  BOOST_TEST_REQUIRE(pair.has_value());
  BOOST_TEST(*pair % 2 == 0);
}

BOOST_AUTO_TEST_CASE(non_numeric_host_is_an_error) {
  auto port = mohq::process::find_free_udp_port("localhost");
  BOOST_TEST_REQUIRE(!port.has_value());
  BOOST_TEST(port.error().find("numeric") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(temp_dir)

BOOST_AUTO_TEST_CASE(removed_with_its_contents) {
  fs::path path;
  {
    auto dir = mohq::process::make_temp_dir("mohq-ut-");
    BOOST_TEST_REQUIRE(dir.has_value());
    path = dir->path();
    fs::create_directories(path / "a" / "b");
    std::ofstream(path / "a" / "b" / "file") << "x";
    BOOST_TEST(fs::is_directory(path));
  }
  BOOST_TEST(!fs::exists(path));
}

BOOST_AUTO_TEST_CASE(kept_when_asked) {
  const char* previous = std::getenv("MOHQ_KEEP_TMP");
  std::string saved = previous != nullptr ? previous : "";
  ::setenv("MOHQ_KEEP_TMP", "1", 1);
  fs::path path;
  {
    auto dir = mohq::process::make_temp_dir("mohq-ut-");
    BOOST_TEST_REQUIRE(dir.has_value());
    path = dir->path();
  }
  if (previous != nullptr) {
    ::setenv("MOHQ_KEEP_TMP", saved.c_str(), 1);
  } else {
    ::unsetenv("MOHQ_KEEP_TMP");
  }
  BOOST_TEST(fs::is_directory(path));
  fs::remove_all(path);
}

BOOST_AUTO_TEST_SUITE_END()
